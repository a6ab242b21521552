// Fails when a wasm module has any import: the visitor module runs with no glue at all. Also
// fails on any integer division or remainder: the visitor is optimized with
// --ignore-implicit-traps (src/wasm/CMakeLists.txt), under which binaryen may evaluate one ahead
// of the guard that keeps its divisor from 0.
// Usage: node wasm-no-imports.cjs FILE.wasm
const m = new WebAssembly.Module(require('fs').readFileSync(process.argv[2]));
const imports = WebAssembly.Module.imports(m);
if (imports.length) {
  console.error(`${process.argv[2]}: unexpected imports (the visitor module must have none):`, imports);
  process.exit(1);
}
const wat = require('child_process').execFileSync('wasm-dis', [process.argv[2]], {
  encoding: 'utf8',
  maxBuffer: 1 << 28,
});
const divisions = wat.match(/\bi(32|64)\.(div|rem)_[su]\b/g);
if (divisions) {
  console.error(`${process.argv[2]}: integer division or remainder (${divisions.join(', ')}): ` +
    'unsafe under wasm-opt --ignore-implicit-traps (src/wasm/CMakeLists.txt)');
  process.exit(1);
}
