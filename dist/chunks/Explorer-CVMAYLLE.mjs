import { createRequire as __cubicleCreateRequire } from 'node:module';
const require = __cubicleCreateRequire(import.meta.url);
import {
  require_Explorer
} from "./chunk-XYM5F3CV.mjs";
import "./chunk-Y2QT4MTR.mjs";
export default require_Explorer();
