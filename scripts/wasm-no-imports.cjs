// Fails when a wasm module has any import: the visitor module runs with no glue at all.
// Usage: node wasm-no-imports.cjs FILE.wasm
const m = new WebAssembly.Module(require('fs').readFileSync(process.argv[2]));
const imports = WebAssembly.Module.imports(m);
if (imports.length) {
  console.error(`${process.argv[2]}: unexpected imports (the visitor module must have none):`, imports);
  process.exit(1);
}
