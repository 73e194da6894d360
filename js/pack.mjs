// npm pack / npm publish: copies what the package ships from the repository into js/
// before packing (prepack) and removes the copies after (postpack):
//   LICENSE      ../LICENSE
//   policies/    ../policies/*/*.json without the test files (they read ../../samples)
// verdict.wasm must be built first (scripts/build.sh wasm); README.md is js/README.md.
import { cpSync, existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const js = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(js, '..');
const step = process.argv[2];

if (step === 'prepack') {
  if (!existsSync(path.join(js, 'verdict.wasm'))) {
    console.error('pack: js/verdict.wasm is missing: run scripts/build.sh wasm first');
    process.exit(1);
  }
  cpSync(path.join(repo, 'LICENSE'), path.join(js, 'LICENSE'));
  rmSync(path.join(js, 'policies'), { recursive: true, force: true });
  const walk = (from, to) => {
    for (const name of readdirSync(from)) {
      const src = path.join(from, name);
      if (statSync(src).isDirectory()) walk(src, path.join(to, name));
      else if ((name.endsWith('.json') && !name.endsWith('.test.json')) || name === 'README.md') {
        mkdirSync(to, { recursive: true });
        cpSync(src, path.join(to, name));
      }
    }
  };
  walk(path.join(repo, 'policies'), path.join(js, 'policies'));
} else if (step === 'postpack') {
  rmSync(path.join(js, 'LICENSE'), { force: true });
  rmSync(path.join(js, 'policies'), { recursive: true, force: true });
} else {
  console.error('usage: node pack.mjs prepack|postpack');
  process.exit(4);
}
