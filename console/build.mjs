// Bundles the console into the segue package (layers/segue/segue/console/dist), which
// `segue dev` and `segue console` serve. Nothing here is fetched at run time.
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import * as esbuild from 'esbuild';

const out = new URL('../layers/segue/segue/console/dist/', import.meta.url).pathname;
rmSync(out, { recursive: true, force: true });
mkdirSync(`${out}assets`, { recursive: true });
await esbuild.build({
  entryPoints: ['src/main.js'],
  bundle: true,
  minify: true,
  format: 'esm',
  target: 'es2022',
  outfile: `${out}assets/console.js`,
  legalComments: 'eof',
  logLevel: 'warning',
});
copyFileSync('static/index.html', `${out}index.html`);
copyFileSync('static/console.css', `${out}assets/console.css`);
copyFileSync('node_modules/elkjs/lib/elk-worker.min.js', `${out}assets/elk-worker.min.js`);
