// A tiny lint: no source line over 100 characters, no trailing whitespace.
import { readdirSync, readFileSync } from 'node:fs';

let problems = 0;
for (const dir of ['src', 'test']) {
  for (const file of readdirSync(dir)) {
    readFileSync(`${dir}/${file}`, 'utf8').split('\n').forEach((line, index) => {
      if (line.length > 100 || /\s+$/.test(line)) {
        console.log(`${dir}/${file}:${index + 1}: line too long or trailing whitespace`);
        problems += 1;
      }
    });
  }
}
console.log(problems ? `${problems} problems` : 'lint: clean');
process.exit(problems ? 1 : 0);
