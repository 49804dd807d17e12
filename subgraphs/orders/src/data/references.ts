/** Entities owned by other subgraphs: this subgraph knows only their ids. */
export interface UserReference {
  id: string;
}

export interface ProductReference {
  id: string;
}
