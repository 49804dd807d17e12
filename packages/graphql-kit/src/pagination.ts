import { badUserInput } from '@shop/errors';

const DEFAULT_PAGE_SIZE = 20;
const MAX_PAGE_SIZE = 100;

/** A listing's arguments, as every paged field of the schema takes them. */
export interface PageArgs {
  page?: number | null;
  limit?: number | null;
}

export interface PageRequest {
  page: number;
  limit: number;
  skip: number;
}

/** `page` starts at 1 (below is refused); `limit` defaults to 20 and is capped at 100. */
export function pageRequest(args: PageArgs): PageRequest {
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

function pageMeta(request: PageRequest, totalItems: number): PageMeta {
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

/** Where a page's rows start and how many it holds, as a data module reads them (Prisma's skip and take). */
export interface PageWindow {
  skip: number;
  take: number;
}

/**
 * One page of a listing: `page` and `limit` checked first, then `read` reads the window and
 * the total count (checking its own arguments), then the meta computed.
 */
export async function readPage<Item>(args: PageArgs, read: (window: PageWindow) => Promise<{ items: Item[]; totalItems: number }>): Promise<Page<Item>> {
  const request = pageRequest(args);
  const { items, totalItems } = await read({ skip: request.skip, take: request.limit });
  return { items, meta: pageMeta(request, totalItems) };
}

/** The page of a caller who may see none of the listing; its arguments are checked all the same. */
export const emptyPage = <Item>(args: PageArgs): Page<Item> => ({ items: [], meta: pageMeta(pageRequest(args), 0) });
