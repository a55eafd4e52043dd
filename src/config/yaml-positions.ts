// Maps a key path (as zod reports it) back to a place in the YAML source, and a source
// offset (as a YAML syntax error reports it) back to a key path.
import { isAlias, isMap, isScalar, isSeq, type Document } from 'yaml';

type Ranged = { range?: readonly [number, number, number] | null };

function startOf(node: unknown): number | undefined {
  const range = (node as Ranged | null | undefined)?.range;
  return range ? range[0] : undefined;
}

function endOf(node: unknown): number | undefined {
  const range = (node as Ranged | null | undefined)?.range;
  return range ? range[2] : undefined;
}

function keyName(key: unknown): string {
  return isScalar(key) ? String(key.value) : String(key);
}

// `key:` with nothing after it parses as an empty null scalar positioned on the next line;
// the key itself is the better place to point at.
function isEmptyValue(node: unknown): boolean {
  return node == null || (isScalar(node) && node.value === null && node.source === '');
}

/**
 * Source offset for a key path. `target` 'value' points at the value (falling back to its
 * key), 'key' at the key itself. When the path does not exist in full (a missing key), the
 * answer is the deepest mapping or list that does exist — the parent of what is missing.
 */
export function offsetOfPath(doc: Document, path: readonly PropertyKey[], target: 'value' | 'key' = 'value'): number {
  let node: unknown = doc.contents;
  let offset = startOf(node) ?? 0;
  for (let i = 0; i < path.length; i++) {
    if (isAlias(node)) node = node.resolve(doc);
    const segment = path[i];
    const last = i === path.length - 1;
    if (isMap(node)) {
      const pair = node.items.find((item) => keyName(item.key) === String(segment));
      if (!pair) return startOf(node) ?? offset;
      const keyOffset = startOf(pair.key) ?? offset;
      if ((last && target === 'key') || isEmptyValue(pair.value)) return keyOffset;
      node = pair.value;
      offset = startOf(node) ?? keyOffset;
    } else if (isSeq(node) && typeof segment === 'number') {
      const item: unknown = node.items[segment];
      if (item == null) return startOf(node) ?? offset;
      node = item;
      offset = startOf(node) ?? offset;
    } else {
      return startOf(node) ?? offset;
    }
  }
  return offset;
}

/** The key path of the innermost entry whose source span contains `offset`. */
export function pathAtOffset(doc: Document, offset: number): PropertyKey[] {
  const path: PropertyKey[] = [];
  let node: unknown = doc.contents;
  for (;;) {
    if (isMap(node)) {
      const pair = node.items.find((item) => {
        const start = startOf(item.key);
        const end = endOf(item.value) ?? endOf(item.key);
        return start !== undefined && end !== undefined && offset >= start && offset <= end;
      });
      if (!pair) return path;
      path.push(keyName(pair.key));
      node = pair.value;
    } else if (isSeq(node)) {
      const index = node.items.findIndex((item) => {
        const start = startOf(item);
        const end = endOf(item);
        return start !== undefined && end !== undefined && offset >= start && offset <= end;
      });
      if (index < 0) return path;
      path.push(index);
      node = node.items[index];
    } else {
      return path;
    }
  }
}
