/**
 * The one small interface every placement implements. HashClient accepts any implementation.
 * Nodes are strings (server addresses or names); placement is pure, with no I/O.
 */
export interface NodeLocator {
  /** The node a key lives on, or undefined when there are no nodes. */
  getNode(key: string): string | undefined;
  /** Adds a node (weight defaults to 1; placements that ignore weights accept it anyway). */
  addNode(node: string, weight?: number): void;
  /** Removes a node; its keys move to the others. */
  removeNode(node: string): void;
  /** The nodes, in the order they were added. */
  readonly nodes: readonly string[];
}
