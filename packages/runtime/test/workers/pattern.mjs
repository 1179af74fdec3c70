// The object pattern of the stress workers: every byte of object `id` is a
// function of (id, offset), written after malloc and checked before free.
// Not a test file.

/** Fills [p, p+size) of u8 (the heap's whole-buffer bytes) with id's pattern. */
export function fillPattern(u8, p, size, id) {
  const x = Math.imul(id, 0x9e3779b1);
  for (let i = 0; i < size; i++) u8[p + i] = (x >>> (i & 24)) + i;
}

/** The first offset in [p, p+size) that does not hold id's pattern, or -1. */
export function checkPattern(u8, p, size, id) {
  const x = Math.imul(id, 0x9e3779b1);
  for (let i = 0; i < size; i++) if (u8[p + i] !== (((x >>> (i & 24)) + i) & 0xff)) return i;
  return -1;
}
