// Hand-assembled plugin modules for the hostile-plugin tests (no WAT
// toolchain, no npm dependency): a tiny binary encoder of the five ABI
// exports with a chosen body for idguard_check.

export const uleb = (n) => {
  const out = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n) b |= 0x80;
    out.push(b);
  } while (n);
  return out;
};

export const sleb = (n) => {
  const out = [];
  let big = BigInt(n);
  for (;;) {
    const b = Number(big & 0x7fn);
    big >>= 7n;
    if ((big === 0n && (b & 0x40) === 0) || (big === -1n && (b & 0x40) !== 0)) {
      out.push(b);
      return out;
    }
    out.push(b | 0x80);
  }
};

const str = (s) => {
  const b = [...new TextEncoder().encode(s)];
  return [...uleb(b.length), ...b];
};
const section = (id, body) => [id, ...uleb(body.length), ...body];
const vec = (items) => [...uleb(items.length), ...items.flat()];

/**
 * A plugin module: `check` is the body of idguard_check (instructions),
 * `locals` its i32 locals, `abi` what idguard_abi_version returns, `data`
 * text placed at address 0, `importWasi` adds an import, `memory` the
 * memory type (flags, min[, max]).
 */
export function module({ check, locals = 0, abi = 1, data = null, importWasi = false, memory = [0x00, 4] }) {
  const types = vec([
    [0x60, 0, 1, 0x7f],
    [0x60, 1, 0x7f, 1, 0x7f],
    [0x60, 2, 0x7f, 0x7f, 0],
    [0x60, 2, 0x7f, 0x7f, 1, 0x7e],
    [0x60, 4, 0x7f, 0x7f, 0x7f, 0x7f, 1, 0x7f],
  ]);
  const imports = importWasi ? [section(2, vec([[...str('wasi_snapshot_preview1'), ...str('fd_write'), 0x00, 4]]))] : [];
  const base = importWasi ? 1 : 0;
  const body = (instrs, n = 0) => {
    const b = [...(n ? [0x01, ...uleb(n), 0x7f] : [0x00]), ...instrs, 0x0b];
    return [...uleb(b.length), ...b];
  };
  const exports = vec([
    [...str('memory'), 0x02, 0],
    [...str('idguard_abi_version'), 0x00, base],
    [...str('idguard_alloc'), 0x00, base + 1],
    [...str('idguard_free'), 0x00, base + 2],
    [...str('idguard_check'), 0x00, base + 3],
  ]);
  const code = vec([body([0x41, ...sleb(abi)]), body([0x41, ...sleb(65536)]), body([]), body(check, locals)]);
  const dataSection = data ? [section(11, vec([[0x00, 0x41, 0x00, 0x0b, ...str(data)]]))] : [];
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 1, 0, 0, 0,
    ...section(1, types),
    ...imports.flat(),
    ...section(3, vec([[0], [1], [2], [3]])),
    ...section(5, vec([memory])),
    ...section(7, exports),
    ...section(10, code),
    ...dataSection.flat(),
  ]);
}

/** An endless loop. */
export const LOOP = [0x03, 0x40, 0x0c, 0x00, 0x0b, 0x42, 0x00];
/** memory.grow by 16 pages until refused, then unreachable. */
export const BOMB = [0x03, 0x40, 0x41, 0x10, 0x40, 0x00, 0x41, 0x7f, 0x47, 0x0d, 0x00, 0x0b, 0x00];
/** A loop of `n` iterations (needs `locals: 1`), then returns nothing (output ""). */
export const countTo = (n) => [
  0x03, 0x40, // loop
  0x20, 0x00, 0x41, 0x01, 0x6a, 0x22, 0x00, // local.get 0; i32.const 1; i32.add; local.tee 0
  0x41, ...sleb(n), 0x47, 0x0d, 0x00, // i32.const n; i32.ne; br_if 0
  0x0b, 0x42, 0x00,
];
/** A plugin returning `text` (placed at address 0). */
export const returning = (text) => ({ check: [0x42, ...sleb(new TextEncoder().encode(text).length)], data: text });
