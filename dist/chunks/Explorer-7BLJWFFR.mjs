import { createRequire as __cubicleCreateRequire } from 'node:module';
const require = __cubicleCreateRequire(import.meta.url);
import {
  require_Explorer
} from "./chunk-EDEV7LVM.mjs";
import "./chunk-6N53HBY5.mjs";
export default require_Explorer();
