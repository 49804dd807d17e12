import { badUserInput } from '@shop/errors';

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

export interface PageRequest {
  page: number;
  limit: number;
  skip: number;
}

/** `page` starts at 1 (below is refused); `limit` defaults to 20 and is capped at 100. */
export function pageRequest(args: { page?: number | null; limit?: number | null }): PageRequest {
  const page = args.page ?? 1;
  const requestedLimit = args.limit ?? DEFAULT_PAGE_SIZE;
  if (page < 1) throw badUserInput('page starts at 1', 'page');
  if (requestedLimit < 1) throw badUserInput('limit must be at least 1', 'limit');
  const limit = Math.min(requestedLimit, MAX_PAGE_SIZE);
  return { page, limit, skip: (page - 1) * limit };
}

export interface PageMeta {
  totalItems: number;
  currentPage: number;
  totalPages: number;
  itemsPerPage: number;
}

export function pageMeta(request: PageRequest, totalItems: number): PageMeta {
  return {
    totalItems,
    currentPage: request.page,
    totalPages: Math.ceil(totalItems / request.limit),
    itemsPerPage: request.limit,
  };
}

export interface Page<Item> {
  items: Item[];
  meta: PageMeta;
}
