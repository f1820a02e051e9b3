import { createRequire as __cubicleCreateRequire } from 'node:module';
const require = __cubicleCreateRequire(import.meta.url);
import {
  ConfigError,
  CubicleError,
  MAX_TIMEOUT_MS,
  PathConfinementError,
  STATE,
  SandboxUnavailableError,
  actionPaths,
  buildNative,
  cacheService,
  cliEnvironment,
  core_exports,
  createCli,
  describeFailure,
  formatBytes,
  formatDuration,
  importLayers,
  listLayerIds,
  maskRegistryToken,
  parseDuration,
  parseSize,
  prepareHost,
  pullLayers,
  readInputs,
  runArguments,
  safeMessage,
  stepDir
} from "./chunks/chunk-Q63HFQQE.mjs";
import {
  load
} from "./chunks/chunk-FNDKDHNJ.mjs";
import {
  __export
} from "./chunks/chunk-6N53HBY5.mjs";

// src/action/main.ts
import fs24 from "node:fs";
import path21 from "node:path";

// src/action/annotations.ts
import fs2 from "node:fs";
import path from "node:path";

// src/report/sanitize.ts
var NEEDS_WORK = /[\x00-\x08\x0a-\x1f\x7f-\x9f]/;
var ESCAPE_SEQUENCES = new RegExp(
  [
    String.raw`\x1b\[([0-?]*)([ -/]*)([@-~])`,
    // CSI: params, intermediates, final
    String.raw`\x1b\][^\x07\x1b]*(?:\x07|\x1b\\|$)`,
    // OSC, to BEL or ST (or the line's end: never left open)
    String.raw`\x1b[PX^_][^\x1b]*(?:\x1b\\|$)`,
    // DCS, SOS, PM, APC, to ST
    String.raw`\x1b[ -/]*[0-~]?`
    // any other escape (charsets, reset, save/restore cursor) or a lone ESC
  ].join("|"),
  "g"
);
var CONTROLS = /[\x00-\x08\x0b-\x1a\x1c-\x1f\x7f-\x9f]/g;
var BREAKS = /[\n\v\f]/g;
function sanitizeOutputLine(line) {
  if (!NEEDS_WORK.test(line) || isPlainOrColoured(line)) return line;
  let text = line.replace(/\r+$/, "");
  const lastReturn = text.lastIndexOf("\r");
  if (lastReturn >= 0) text = text.slice(lastReturn + 1);
  return text.replace(
    ESCAPE_SEQUENCES,
    (_sequence, params, intermediates, final) => final === "m" && !intermediates && params !== void 0 ? colourOnly(params) : ""
  ).replace(BREAKS, " ").replace(CONTROLS, "");
}
function isPlainOrColoured(line) {
  for (let index = 0; index < line.length; index++) {
    const code = line.charCodeAt(index);
    if (code >= 32 && code < 127) continue;
    if (code === 9 || code > 159) continue;
    if (code !== 27 || line.charCodeAt(index + 1) !== 91) return false;
    let param = "";
    for (index += 2; ; index++) {
      const char = line[index];
      if (char === void 0) return false;
      if (char >= "0" && char <= "9") param += char;
      else if (char === ";" || char === "m") {
        if (param === "8" || param === "08") return false;
        param = "";
        if (char === "m") break;
      } else return false;
    }
  }
  return true;
}
function colourOnly(params) {
  if (!/^[0-9;:]*$/.test(params)) return "";
  const kept = [];
  const parts = params.split(";");
  for (let index = 0; index < parts.length; index++) {
    const part = parts[index];
    if ((part === "38" || part === "48" || part === "58") && (parts[index + 1] === "5" || parts[index + 1] === "2")) {
      const count = parts[index + 1] === "5" ? 2 : 4;
      kept.push(...parts.slice(index, index + 1 + count));
      index += count;
    } else if (part !== "8" && part !== "08") {
      kept.push(part);
    }
  }
  if (kept.length === 0 && parts.length > 0 && params !== "") return "";
  return `\x1B[${kept.join(";")}m`;
}

// src/junit/model.ts
function verdictOf(testCase) {
  let verdict = "passed";
  for (const outcome of testCase.outcomes) {
    if (outcome.kind === "error") return "error";
    if (outcome.kind === "failure") verdict = "failure";
    else if (verdict === "passed") verdict = "skipped";
  }
  return verdict;
}

// src/junit/read.ts
import fs from "node:fs";

// src/junit/gotest.ts
var GoTestJsonError = class extends Error {
};
var FRAMING_LINE = /^\s*=== (RUN|PAUSE|CONT|NAME)\s/;
var RESULT_LINE = /^\s*--- (PASS|FAIL|SKIP): /;
var PANIC_LINE = /^\s*panic: /;
var LOCATED_LINE = /^\S+\.go:\d+: \S/;
var PACKAGE_NOT_BUILT = /^FAIL\s+(\S+)\s+\[(build failed|setup failed)\]/;
var BUILD_HEADER = /^# (\S+( \[\S+\])?)\s*$/;
var SUMMARY_LINE = /^(PASS|FAIL|(ok|FAIL|\?)\s+\S+\s.*)$/;
function parseGoTestJson(text) {
  const packages = /* @__PURE__ */ new Map();
  const packageNamed = (name, time2) => {
    let state = packages.get(name);
    if (!state) packages.set(name, state = { name, firstTime: time2, tests: /* @__PURE__ */ new Map(), output: [], buildOutput: [] });
    return state;
  };
  const stray = [];
  let events = 0;
  let building;
  for (const rawLine of text.split("\n")) {
    const line = rawLine.replace(/\r$/, "");
    const event = eventOf(line);
    if (!event) {
      const notBuilt = PACKAGE_NOT_BUILT.exec(line);
      const header = BUILD_HEADER.exec(line);
      if (notBuilt) {
        packageNamed(notBuilt[1]).buildFailure = notBuilt[2];
        building = void 0;
      } else if (header) {
        building = packageNamed(packageOfImportPath(header[1]));
        building.buildOutput.push(`${line}
`);
      } else if (building) {
        building.buildOutput.push(`${line}
`);
      } else if (line.trim()) {
        stray.push(`${line}
`);
      }
      continue;
    }
    events += 1;
    building = void 0;
    if (event.ImportPath !== void 0 && (event.Action === "build-output" || event.Action === "build-fail")) {
      const state2 = packageNamed(packageOfImportPath(event.ImportPath), event.Time);
      if (event.Action === "build-fail") state2.buildFailure ??= "build failed";
      else if (event.Output !== void 0) state2.buildOutput.push(event.Output);
      continue;
    }
    if (event.Package === void 0) continue;
    const state = packageNamed(event.Package, event.Time);
    if (event.Test !== void 0) {
      let test = state.tests.get(event.Test);
      if (!test) state.tests.set(event.Test, test = { name: event.Test, output: [] });
      if (event.Action === "output" && event.Output !== void 0) test.output.push(event.Output);
      if (isResult(event.Action)) {
        test.result = event.Action;
        test.elapsed = event.Elapsed;
      }
      continue;
    }
    if (event.Action === "output" && event.Output !== void 0) {
      state.output.push(event.Output);
      const notBuilt = PACKAGE_NOT_BUILT.exec(event.Output);
      if (notBuilt) state.buildFailure ??= notBuilt[2];
    }
    if (isResult(event.Action)) {
      state.result = event.Action;
      state.elapsed = event.Elapsed;
      if (event.FailedBuild !== void 0) state.buildFailure ??= "build failed";
    }
  }
  if (events === 0 && packages.size === 0 && stray.length > 0) {
    throw new GoTestJsonError(
      `not a go test -json stream: no line is a test2json event (the first is ${JSON.stringify(stray[0].trim().slice(0, 80))}); was -json left out?`
    );
  }
  const suites = [...packages.values()].map(suiteOf).filter((suite) => suite.cases.length > 0 || suite.systemOut !== void 0);
  if (stray.length > 0 && suites.length > 0) suites[0] = { ...suites[0], systemErr: stray.join("") };
  return suites;
}
function eventOf(line) {
  if (!line.startsWith("{")) return void 0;
  try {
    const value = JSON.parse(line);
    if (value && typeof value === "object" && typeof value.Action === "string") return value;
  } catch {
  }
  return void 0;
}
function isResult(action) {
  return action === "pass" || action === "fail" || action === "skip";
}
function packageOfImportPath(importPath) {
  const forTest = / \[(\S+)\.test\]$/.exec(importPath);
  return forTest ? forTest[1] : importPath.replace(/ \[.*\]$/, "");
}
function suiteOf(pkg) {
  const cases = [...pkg.tests.values()].map((test) => caseOf(test, pkg));
  const packageOutput = pkg.output.join("");
  let extraOutput = pkg.output.filter((chunk) => !SUMMARY_LINE.test(chunk.replace(/\n$/, ""))).join("");
  if (pkg.buildFailure) {
    const compilerOutput = pkg.buildOutput.join("");
    const message = `${pkg.name}: ${pkg.buildFailure}${compilerOutput ? "" : "; go's messages are in the job's output"}`;
    cases.push(
      packageCase(pkg, `[${pkg.buildFailure}]`, { kind: "error", type: pkg.buildFailure.replace(" ", "-"), message, body: compilerOutput || void 0 })
    );
  } else if (pkg.result === "fail" && !cases.some((testCase) => testCase.outcomes.some((outcome) => outcome.kind !== "skipped"))) {
    const panic = packageOutput.split("\n").find((line) => PANIC_LINE.test(line));
    const message = panic ? panic.trim() : `${pkg.name}: the test binary failed outside any test`;
    cases.push(packageCase(pkg, "[package failed]", { kind: "error", type: panic ? "panic" : "package-failed", message, body: packageOutput || void 0 }));
    extraOutput = "";
  }
  const time2 = pkg.elapsed ?? cases.filter((testCase) => !testCase.name.includes("/")).reduce((sum, testCase) => sum + testCase.time, 0);
  return {
    name: pkg.name,
    timestamp: pkg.firstTime,
    time: time2,
    properties: [],
    cases,
    systemOut: extraOutput.trim() ? extraOutput : void 0
  };
}
function caseOf(test, pkg) {
  const output = test.output.filter((chunk) => !FRAMING_LINE.test(chunk)).join("");
  const logs = output.split("\n").filter((line) => line.trim() && !RESULT_LINE.test(line)).map((line) => line.trim());
  const base = { name: test.name, classname: pkg.name, time: test.elapsed ?? 0, properties: [], reruns: [] };
  const panic = logs.find((line) => PANIC_LINE.test(line));
  switch (test.result) {
    case "pass":
      return { ...base, outcomes: [], systemOut: logs.length ? output : void 0 };
    case "skip":
      return { ...base, outcomes: [{ kind: "skipped", message: logs.join("\n") || void 0 }] };
    case "fail": {
      if (panic) return { ...base, outcomes: [{ kind: "error", type: "panic", message: panic, body: output }] };
      const subtestFailed = [...pkg.tests.values()].some((other) => other.name.startsWith(`${test.name}/`) && other.result === "fail");
      const message = logs.findLast((line) => LOCATED_LINE.test(line)) ?? logs[0] ?? (subtestFailed ? "a subtest failed" : "failed");
      return { ...base, outcomes: [{ kind: "failure", type: "failure", message, body: output }] };
    }
    default: {
      const why = panic ?? pkg.output.join("").split("\n").find((line) => PANIC_LINE.test(line))?.trim();
      const message = `did not finish: the test binary stopped while it ran${why ? ` (${why})` : ""}`;
      return { ...base, outcomes: [{ kind: "error", type: "unfinished", message, body: output || void 0 }] };
    }
  }
}
function packageCase(pkg, name, outcome) {
  return { name, classname: pkg.name, time: 0, properties: [], outcomes: [outcome], reruns: [] };
}

// src/junit/xml.ts
var XmlSyntaxError = class extends Error {
  constructor(reason, line, column) {
    super(`line ${line}, column ${column}: ${reason}`);
    this.reason = reason;
    this.line = line;
    this.column = column;
    this.name = "XmlSyntaxError";
  }
  reason;
  line;
  column;
};
var XmlLimitError = class extends Error {
  constructor(limit, line, column) {
    super(`line ${line}, column ${column}: more than ${limit}`);
    this.limit = limit;
    this.line = line;
    this.column = column;
    this.name = "XmlLimitError";
  }
  limit;
  line;
  column;
};
var DEFAULT_XML_LIMITS = { maxElements: 1e6, maxDepth: 64, maxAttributes: 256 };
var NAMED_ENTITIES = { lt: "<", gt: ">", amp: "&", quot: '"', apos: "'" };
function parseXml(source, limits = DEFAULT_XML_LIMITS) {
  const text = source.includes("\r") ? source.replace(/\r\n?/g, "\n") : source;
  const fail = (reason, at) => {
    const before = text.slice(0, at);
    throw new XmlSyntaxError(reason, before.split("\n").length, at - before.lastIndexOf("\n"));
  };
  const overLimit = (limit, at) => {
    const before = text.slice(0, at);
    throw new XmlLimitError(limit, before.split("\n").length, at - before.lastIndexOf("\n"));
  };
  const stack = [];
  let root = null;
  let elements = 0;
  let position = text.charCodeAt(0) === 65279 ? 1 : 0;
  while (position < text.length) {
    const open2 = text.indexOf("<", position);
    const textEnd = open2 === -1 ? text.length : open2;
    if (textEnd > position) {
      const chunk = text.slice(position, textEnd);
      const current = stack[stack.length - 1];
      if (current) {
        const decoded = decodeEntities(chunk, position, fail);
        if (current.kept) current.text += decoded;
      } else if (chunk.trim() !== "") fail(root ? "text after the root element" : "text before the root element", position);
    }
    if (open2 === -1) break;
    position = open2;
    if (text.startsWith("<!--", position)) {
      position = skipPast(text, "-->", position, "a comment that never ends (no -->)", fail);
    } else if (text.startsWith("<![CDATA[", position)) {
      const end = text.indexOf("]]>", position);
      if (end === -1) fail("a CDATA section that never ends (no ]]>)", position);
      const current = stack[stack.length - 1];
      if (!current) fail("CDATA outside the root element", position);
      if (current.kept) current.text += text.slice(position + 9, end);
      position = end + 3;
    } else if (text.startsWith("<?", position)) {
      position = skipPast(text, "?>", position, "a processing instruction that never ends (no ?>)", fail);
    } else if (text.startsWith("<!DOCTYPE", position)) {
      if (root || stack.length) fail("a DOCTYPE after the root element began", position);
      position = skipDoctype(text, position, fail);
    } else if (text.charCodeAt(position + 1) === 47) {
      const end = text.indexOf(">", position);
      if (end === -1) fail("a closing tag that never ends (no >)", position);
      const name = text.slice(position + 2, end).trimEnd();
      const element = stack.pop();
      if (!element) fail(`</${name}> closes nothing`, position);
      if (element.name !== name) fail(`</${name}> closes <${element.name}> (opened at ${where(text, element.start)})`, position);
      const done = { name: element.name, attributes: element.attributes, children: element.children, text: element.text };
      const parent = stack[stack.length - 1];
      if (parent) {
        if (element.kept) parent.children.push(done);
      } else root = done;
      position = end + 1;
    } else {
      if (root) fail("a second root element", position);
      if (++elements > limits.maxElements) overLimit(`${limits.maxElements.toLocaleString("en-US")} elements`, position);
      const tag = readStartTag(text, position, limits.maxAttributes, fail, overLimit);
      if (stack.length >= limits.maxDepth) overLimit(`${limits.maxDepth} levels of nested elements`, position);
      const parent = stack[stack.length - 1];
      const kept = !parent || parent.kept && (limits.keep?.(tag.name, parent.name) ?? true);
      const element = { name: tag.name, attributes: kept ? tag.attributes : EMPTY, children: [], text: "", start: position, kept };
      position = tag.end;
      if (tag.selfClosing) {
        const done = { name: element.name, attributes: element.attributes, children: element.children, text: "" };
        if (parent) {
          if (kept) parent.children.push(done);
        } else root = done;
      } else {
        stack.push(element);
      }
    }
  }
  const unclosed = stack[stack.length - 1];
  if (unclosed) fail(`<${unclosed.name}> (opened at ${where(text, unclosed.start)}) is never closed`, text.length);
  if (!root) fail("no root element: the document is empty", text.length);
  return root;
}
function where(text, at) {
  const before = text.slice(0, at);
  return `line ${before.split("\n").length}, column ${at - before.lastIndexOf("\n")}`;
}
function skipPast(text, terminator, from, reason, fail) {
  const end = text.indexOf(terminator, from);
  if (end === -1) fail(reason, from);
  return end + terminator.length;
}
function skipDoctype(text, from, fail) {
  let depth = 0;
  for (let position = from + 9; position < text.length; position++) {
    const char = text[position];
    if (char === "<" && text.startsWith("<!--", position)) {
      const end = text.indexOf("-->", position + 4);
      if (end === -1) break;
      position = end + 2;
    } else if (char === "[") depth++;
    else if (char === "]") depth--;
    else if (char === ">" && depth <= 0) return position + 1;
    else if (char === '"' || char === "'") {
      const end = text.indexOf(char, position + 1);
      if (end === -1) break;
      position = end;
    }
  }
  return fail("a DOCTYPE that never ends (no >)", from);
}
function isNameChar(code) {
  return code >= 97 && code <= 122 || code >= 65 && code <= 90 || code >= 48 && code <= 57 || code === 45 || code === 46 || code === 95 || code === 58 || code > 127;
}
function isSpace(code) {
  return code === 32 || code === 10 || code === 9 || code === 13;
}
function readName(text, from) {
  let position = from;
  while (position < text.length && isNameChar(text.charCodeAt(position))) position++;
  return position;
}
var EMPTY = Object.freeze(/* @__PURE__ */ Object.create(null));
function readStartTag(text, from, maxAttributes, fail, overLimit) {
  const nameEnd = readName(text, from + 1);
  if (nameEnd === from + 1) fail(`"<" not followed by an element name`, from);
  const name = text.slice(from + 1, nameEnd);
  const attributes = /* @__PURE__ */ Object.create(null);
  let position = nameEnd;
  let count = 0;
  for (; ; ) {
    const beforeSpace = position;
    while (position < text.length && isSpace(text.charCodeAt(position))) position++;
    const code = text.charCodeAt(position);
    if (code === 62) return { name, attributes, selfClosing: false, end: position + 1 };
    if (code === 47 && text.charCodeAt(position + 1) === 62) return { name, attributes, selfClosing: true, end: position + 2 };
    if (position >= text.length) fail(`<${name}> never ends (no >)`, from);
    if (position === beforeSpace) fail(`unexpected "${text[position]}" in <${name}>`, position);
    const attributeEnd = readName(text, position);
    if (attributeEnd === position) fail(`unexpected "${text[position]}" in <${name}>`, position);
    const attribute = text.slice(position, attributeEnd);
    position = attributeEnd;
    while (isSpace(text.charCodeAt(position))) position++;
    if (text[position] !== "=") fail(`attribute ${attribute} of <${name}> has no value`, position);
    position++;
    while (isSpace(text.charCodeAt(position))) position++;
    const quote = text[position];
    if (quote !== '"' && quote !== "'") fail(`the value of ${attribute} in <${name}> is not quoted`, position);
    const valueEnd = text.indexOf(quote, position + 1);
    if (valueEnd === -1) fail(`the value of ${attribute} in <${name}> never ends`, position);
    const raw = text.slice(position + 1, valueEnd);
    if (raw.includes("<")) fail(`"<" in the value of ${attribute} in <${name}>`, position + 1 + raw.indexOf("<"));
    if (Object.hasOwn(attributes, attribute)) fail(`attribute ${attribute} given twice in <${name}>`, position);
    if (++count > maxAttributes) overLimit(`${maxAttributes} attributes in one element (<${name.slice(0, 64)}>)`, from);
    attributes[attribute] = decodeEntities(raw.replace(/[\t\n]/g, " "), position + 1, fail);
    position = valueEnd + 1;
  }
}
function decodeEntities(raw, offset, fail) {
  if (!raw.includes("&")) return raw;
  let decoded = "";
  let position = 0;
  for (; ; ) {
    const amp = raw.indexOf("&", position);
    if (amp === -1) return decoded + raw.slice(position);
    decoded += raw.slice(position, amp);
    const semicolon = raw.indexOf(";", amp);
    const entity = semicolon === -1 || semicolon - amp > 12 ? "" : raw.slice(amp + 1, semicolon);
    decoded += entityValue(entity) ?? fail(entity ? `unknown entity &${entity};` : 'a bare "&" (write &amp;)', offset + amp);
    position = semicolon + 1;
  }
}
function entityValue(entity) {
  if (entity.charCodeAt(0) !== 35) return NAMED_ENTITIES[entity];
  const hex = entity[1] === "x";
  const digits = entity.slice(hex ? 2 : 1);
  if (!(hex ? /^[0-9a-fA-F]+$/ : /^[0-9]+$/).test(digits)) return void 0;
  const code = Number.parseInt(digits, hex ? 16 : 10);
  return code > 1114111 ? void 0 : String.fromCodePoint(code);
}
function childNamed(element, name) {
  return element.children.find((child) => child.name === name);
}

// src/junit/read.ts
var MAX_REPORT_BYTES = 64 * 1024 * 1024;
var MAX_TEST_CASES = 5e4;
var READ_ELEMENTS = /* @__PURE__ */ new Set([
  "testsuites",
  "testsuite",
  "testcase",
  "failure",
  "error",
  "skipped",
  "flakyFailure",
  "flakyError",
  "rerunFailure",
  "rerunError",
  "stackTrace",
  "system-out",
  "system-err",
  "properties",
  "property"
]);
var JunitReadError = class extends CubicleError {
  constructor(file, reason, options = {}) {
    super(`${file}: ${reason}`, options);
    this.file = file;
    this.reason = reason;
  }
  file;
  reason;
  code = "JUNIT_UNREADABLE";
};
var CaseLimitError = class extends Error {
};
function readJunitFile(file, label = file, options = {}) {
  let bytes;
  try {
    const size2 = fs.statSync(file).size;
    if (size2 > MAX_REPORT_BYTES) {
      const cap = `${MAX_REPORT_BYTES / 1024 / 1024} MiB`;
      throw new JunitReadError(label, `${Math.round(size2 / 1024 / 1024)} MiB, more than the ${cap} a JUnit report may have: not read`);
    }
    bytes = fs.readFileSync(file);
  } catch (error2) {
    if (error2 instanceof JunitReadError) throw error2;
    const code = error2.code;
    const reason = code === "ENOENT" ? "no such file" : code === "EISDIR" ? "a directory, not a file" : `cannot be read (${error2.message})`;
    throw new JunitReadError(label, reason, { cause: error2 });
  }
  if (file.endsWith(".json")) {
    try {
      return parseGoTestJson(bytes.toString("utf8"));
    } catch (error2) {
      if (error2 instanceof GoTestJsonError) throw new JunitReadError(label, error2.message, { cause: error2 });
      throw error2;
    }
  }
  return parseJunit(decodeXmlBytes(bytes), label, options);
}
function parseJunit(text, label, options = {}) {
  const maxCases = options.maxCases ?? MAX_TEST_CASES;
  let cases = 0;
  const limits = {
    ...DEFAULT_XML_LIMITS,
    keep: (name) => {
      if (name === "testcase" && ++cases > maxCases) throw new CaseLimitError();
      return READ_ELEMENTS.has(name);
    }
  };
  let root;
  try {
    root = parseXml(text, limits);
  } catch (error2) {
    if (error2 instanceof XmlSyntaxError) throw new JunitReadError(label, `not valid XML: ${error2.message}`, { cause: error2 });
    if (error2 instanceof XmlLimitError) throw new JunitReadError(label, `${error2.message} (a cap of cubicle's JUnit reader): not read`, { cause: error2 });
    if (error2 instanceof CaseLimitError) {
      const cap = MAX_TEST_CASES.toLocaleString("en-US");
      const left = maxCases === MAX_TEST_CASES ? "" : ` (${maxCases.toLocaleString("en-US")} were left after the job's other reports)`;
      throw new JunitReadError(label, `more than the ${cap} test cases cubicle reads from one job's reports${left}: not read`);
    }
    throw error2;
  }
  const lines = lineBaseOf(root, "by-suite-name");
  if (root.name === "testsuite") return readSuite(root, label, lines);
  if (root.name !== "testsuites") throw new JunitReadError(label, `not a JUnit report: its root element is <${root.name}>, not <testsuites> or <testsuite>`);
  const suites = [];
  const looseCases = root.children.filter((child) => child.name === "testcase");
  if (looseCases.length) suites.push(...readSuite({ ...root, children: looseCases }, root.attributes.name || label, lines));
  for (const child of root.children) {
    if (child.name === "testsuite" || child.name === "testsuites") suites.push(...readSuite(child, root.attributes.name || label, lines));
  }
  return suites;
}
function lineBaseOf(element, inherited) {
  if (element.name !== "testsuites") return inherited;
  if (element.attributes.name === "cubicle") return "as-written";
  if (element.attributes.name === "pytest tests") return "zero-based";
  return inherited;
}
function readSuite(element, parentName, lines) {
  const name = element.attributes.name || parentName;
  const base = lineBaseOf(element, lines);
  const zeroBased = base === "zero-based" || base === "by-suite-name" && element.name === "testsuite" && element.attributes.name === "pytest";
  const cases = element.children.filter((child) => child.name === "testcase").map((child) => readCase(child, name, zeroBased));
  const nested = element.children.filter((child) => child.name === "testsuite" || child.name === "testsuites").flatMap((child) => readSuite(child, name, base));
  const systemOut = textOf(element, "system-out");
  const systemErr = textOf(element, "system-err");
  if (nested.length && !cases.length && !systemOut && !systemErr) return nested;
  const suite = {
    name,
    timestamp: timestampOf(element.attributes.timestamp),
    hostname: element.attributes.hostname || void 0,
    time: secondsOf(element.attributes.time) ?? cases.reduce((sum, testCase) => sum + testCase.time, 0),
    properties: propertiesOf(element),
    cases,
    systemOut,
    systemErr
  };
  return [suite, ...nested];
}
function readCase(element, suiteName, zeroBasedLine) {
  const attributes = element.attributes;
  const outcomes = [];
  const reruns = [];
  for (const child of element.children) {
    const kind = child.name;
    if (kind === "failure" || kind === "error" || kind === "skipped") {
      outcomes.push({ kind, message: child.attributes.message, type: child.attributes.type, body: child.text.trim() ? child.text : void 0 });
    } else if (kind === "flakyFailure" || kind === "flakyError" || kind === "rerunFailure" || kind === "rerunError") {
      reruns.push({
        kind,
        message: child.attributes.message,
        type: child.attributes.type ?? "",
        stackTrace: textOf(child, "stackTrace") ?? (child.text.trim() ? child.text : void 0),
        systemOut: textOf(child, "system-out"),
        systemErr: textOf(child, "system-err")
      });
    }
  }
  const written = attributes.line && /^\d+$/.test(attributes.line) ? Number(attributes.line) : void 0;
  const line = written !== void 0 && zeroBasedLine ? written + 1 : written;
  return {
    name: attributes.name || "(unnamed)",
    classname: attributes.classname || suiteName,
    time: secondsOf(attributes.time) ?? 0,
    file: attributes.file || void 0,
    line,
    properties: propertiesOf(element),
    outcomes,
    reruns,
    systemOut: textOf(element, "system-out"),
    systemErr: textOf(element, "system-err")
  };
}
function textOf(element, name) {
  let text = "";
  for (const child of element.children) if (child.name === name) text += child.text;
  return text === "" ? void 0 : text;
}
function propertiesOf(element) {
  const properties = childNamed(element, "properties");
  if (!properties) return [];
  return properties.children.filter((child) => child.name === "property" && child.attributes.name).map((child) => ({ name: child.attributes.name, value: child.attributes.value ?? child.text }));
}
function secondsOf(value) {
  if (value === void 0) return void 0;
  const trimmed = value.trim();
  let number3 = Number.NaN;
  if (/^\d*\.?\d+(e[+-]?\d+)?$/i.test(trimmed)) number3 = Number(trimmed);
  else if (/^\d{1,3}(,\d{3})+(\.\d+)?$/.test(trimmed)) number3 = Number(trimmed.replace(/,/g, ""));
  else if (/^\d+,\d+$/.test(trimmed)) number3 = Number(trimmed.replace(",", "."));
  return Number.isFinite(number3) ? number3 : void 0;
}
var ISO_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?$/;
function timestampOf(value) {
  const trimmed = value?.trim();
  return trimmed && ISO_TIMESTAMP.test(trimmed) ? trimmed : void 0;
}
function decodeXmlBytes(bytes) {
  if (bytes[0] === 255 && bytes[1] === 254) return bytes.toString("utf16le", 2);
  if (bytes[0] === 254 && bytes[1] === 255)
    return Buffer.from(bytes.subarray(2, bytes.length - bytes.length % 2)).swap16().toString("utf16le");
  const declaration = /^<\?xml[^>]*encoding\s*=\s*["']([^"']+)["']/.exec(bytes.subarray(0, 200).toString("latin1"));
  if (declaration && /^(iso-8859-1|latin-?1|us-ascii|ascii|windows-1252|cp1252)$/i.test(declaration[1])) return bytes.toString("latin1");
  return bytes.toString("utf8");
}

// src/junit/output-cap.ts
var DEFAULT_OUTPUT_CAP_BYTES = 64 * 1024;

// src/action/tests.ts
var MAX_FAILED_KEPT2 = 1e3;
function tallyTests(junitFile) {
  const tally = { passed: 0, flaky: 0, failed: 0, skipped: 0 };
  const failedTests2 = [];
  for (const suite of readJunitFile(junitFile)) {
    for (const testCase of suite.cases) {
      const verdict = verdictOf(testCase);
      if (verdict === "skipped") tally.skipped++;
      else if (verdict === "passed" && isFlaky(testCase)) tally.flaky++;
      else if (verdict === "passed") tally.passed++;
      else {
        tally.failed++;
        if (failedTests2.length >= MAX_FAILED_KEPT2) continue;
        failedTests2.push({ job: suite.name, classname: testCase.classname, name: testCase.name, message: firstLine(testCase, verdict) });
      }
    }
  }
  return { ...tally, failedTests: failedTests2 };
}
function isFlaky(testCase) {
  return testCase.reruns.some((rerun) => rerun.kind === "flakyFailure" || rerun.kind === "flakyError");
}
function firstLine(testCase, verdict) {
  const outcome = testCase.outcomes.find((candidate) => candidate.kind === verdict);
  const text = outcome?.message?.trim() || outcome?.body?.trim() || "";
  return text.split(/\r?\n/)[0].trim();
}

// src/action/annotations.ts
var MAX_ANNOTATIONS = 50;
var MAX_MESSAGE_LINES = 30;
var MAX_MESSAGE_CHARS = 4096;
var MAX_TITLE_CHARS = 200;
function failedTestAnnotations(junitFile, where2) {
  const annotations = [];
  for (const suite of readJunitFile(junitFile)) {
    for (const testCase of suite.cases) {
      const verdict = verdictOf(testCase);
      if (verdict !== "failure" && verdict !== "error") continue;
      const outcome = testCase.outcomes.find((candidate) => candidate.kind === verdict);
      const text = [outcome.message, outcome.body].filter(Boolean).join("\n");
      const location = locationOf(testCase.file, testCase.line, where2) ?? findLocation(text, where2);
      const name = testCase.classname && testCase.classname !== suite.name ? `${testCase.classname} \u203A ${testCase.name}` : testCase.name;
      annotations.push({
        title: bounded(safeMessage(`${suite.name}: ${name}`), MAX_TITLE_CHARS),
        message: bounded(firstLines(plainText(text).trim() || `${verdict} (no message)`, MAX_MESSAGE_LINES), MAX_MESSAGE_CHARS),
        ...location
      });
    }
  }
  return annotations;
}
function flakyTestAnnotations(junitFile, where2) {
  const annotations = [];
  for (const suite of readJunitFile(junitFile)) {
    for (const testCase of suite.cases) {
      if (verdictOf(testCase) !== "passed" || !isFlaky(testCase)) continue;
      const runs = testCase.reruns.filter((rerun) => rerun.kind === "flakyFailure" || rerun.kind === "flakyError");
      const first = runs[0];
      const text = [first.message, first.stackTrace].filter(Boolean).join("\n");
      const location = locationOf(testCase.file, testCase.line, where2) ?? findLocation(text, where2);
      const name = testCase.classname && testCase.classname !== suite.name ? `${testCase.classname} \u203A ${testCase.name}` : testCase.name;
      const failed = `passed after ${runs.length} failed ${runs.length === 1 ? "run" : "runs"}; the first failed with:`;
      annotations.push({
        title: bounded(safeMessage(`flaky: ${suite.name}: ${name}`), MAX_TITLE_CHARS),
        message: bounded(firstLines(`${failed}
${plainText(text).trim() || `${first.type || "failure"} (no message)`}`, MAX_MESSAGE_LINES), MAX_MESSAGE_CHARS),
        ...location
      });
    }
  }
  return annotations;
}
function locationOf(file, line, where2) {
  if (!file) return void 0;
  const relative = inWorkspace(file, where2);
  if (!relative) return void 0;
  return line === void 0 ? { file: relative } : { file: relative, startLine: line };
}
var LOCATION = /(?:file:\/\/)?((?:\/|\.{0,2}\/?[\w@.-]+\/)[^\s:()'"<>]*\.[\w]+|[\w@.-]+\.[A-Za-z]\w*):(\d+)/g;
function findLocation(text, where2) {
  for (const match of text.matchAll(LOCATION)) {
    const candidate = match[1];
    if (candidate.includes("node_modules/") || candidate.startsWith("node:")) continue;
    const relative = inWorkspace(candidate, where2);
    if (relative) return { file: relative, startLine: Number(match[2]) };
  }
  return void 0;
}
function inWorkspace(file, where2) {
  const candidates = path.isAbsolute(file) ? [file] : [path.resolve(where2.projectDir, file), path.resolve(where2.workspace, file)];
  for (const absolute of candidates) {
    const relative = path.relative(where2.workspace, absolute);
    if (relative.startsWith("..") || path.isAbsolute(relative)) continue;
    if (isFile(absolute)) return relative.split(path.sep).join("/");
  }
  return void 0;
}
function isFile(file) {
  try {
    return fs2.statSync(file).isFile();
  } catch {
    return false;
  }
}
function firstLines(text, count) {
  const lines = text.split("\n");
  return lines.length <= count ? text : `${lines.slice(0, count).join("\n")}
... (${lines.length - count} more lines in the JUnit report)`;
}
function plainText(text) {
  return text.split(/\r?\n/).map((line) => safeMessage(sanitizeOutputLine(line).replace(/\x1b\[[0-9;:]*m/g, ""))).join("\n");
}
function bounded(text, maxChars) {
  return text.length > maxChars ? `${text.slice(0, maxChars)}\u2026` : text;
}

// src/action/cache-key.ts
import { createHash as createHash2 } from "node:crypto";
import fs21 from "node:fs";
import os3 from "node:os";
import path20 from "node:path";

// src/config/load.ts
import path17 from "node:path";

// src/core/vendor.ts
import path2 from "node:path";
var CONFIG_FILES = [
  "package.json",
  ".cubiclerc",
  ".cubiclerc.json",
  ".cubiclerc.yaml",
  ".cubiclerc.yml",
  "cubicle.config.ts",
  "cubicle.config.mjs",
  "cubicle.config.js",
  "cubicle.config.json",
  "cubicle.config.yaml",
  "cubicle.config.yml"
];
var CODE_CONFIG_EXTENSIONS = [".ts", ".mts", ".cts", ".mjs", ".js", ".cjs"];
var CONFIG_IMPORT_REFUSED = "CUBICLE_CONFIG_IMPORT_REFUSED";
var CodeConfigFile = class {
  constructor(filepath) {
    this.filepath = filepath;
  }
  filepath;
};
async function findConfig(cwd, explicitPath) {
  const [{ Explorer }, { defaultLoaders }] = await Promise.all([
    import("./chunks/Explorer-7BLJWFFR.mjs").then((module) => commonJs(module)),
    import("./chunks/dist-JBALD2MR.mjs").then((module) => commonJs(module))
  ]);
  const markCode = (filepath) => new CodeConfigFile(filepath);
  const data = (load2) => (filepath, content) => refuseImports(filepath, load2(filepath, content));
  const loaders = {
    ...Object.fromEntries(CODE_CONFIG_EXTENSIONS.map((extension) => [extension, markCode])),
    ".json": data(defaultLoaders[".json"]),
    ".yaml": data(defaultLoaders[".yaml"]),
    ".yml": data(defaultLoaders[".yaml"]),
    noExt: data(defaultLoaders.noExt)
  };
  const explorer = new Explorer({
    moduleName: "cubicle",
    searchPlaces: CONFIG_FILES,
    searchStrategy: "project",
    ignoreEmptySearchPlaces: true,
    cache: false,
    transform: (result) => result,
    loaders,
    metaConfigFilePath: null,
    mergeImportArrays: true,
    mergeSearchPlaces: false
  });
  const found2 = explicitPath ? await explorer.load(explicitPath) : await explorer.search(cwd);
  if (!found2) return null;
  if (found2.config instanceof CodeConfigFile) return { kind: "code", filepath: found2.filepath };
  return { kind: "data", filepath: found2.filepath, config: found2.config, isEmpty: found2.isEmpty === true };
}
function refuseImports(filepath, loaded) {
  const own2 = path2.basename(filepath) === "package.json" ? loaded?.cubicle : loaded;
  if (own2 && typeof own2 === "object" && Object.hasOwn(own2, "$import")) {
    throw Object.assign(new Error(`${filepath}: \`$import\` is not supported: a config is one file`), { code: CONFIG_IMPORT_REFUSED });
  }
  return loaded;
}
async function loadPicomatch() {
  const { default: picomatch } = await import("./chunks/picomatch-XNICCPQU.mjs");
  return picomatch;
}
function commonJs(module) {
  return "default" in module && module.default && typeof module.default === "object" && !(Object.keys(module).length > 2) ? module.default : module;
}

// src/config/code/index.ts
import { randomBytes as randomBytes2 } from "node:crypto";
import path13 from "node:path";

// src/host/cgroups.ts
import fs13 from "node:fs";
import path10 from "node:path";

// src/sandbox/maintenance.ts
import { execFile } from "node:child_process";
import fs5 from "node:fs";

// src/sandbox/binaries.ts
import { execFileSync } from "node:child_process";
import fs4 from "node:fs";
import { createRequire } from "node:module";
import path5 from "node:path";

// src/core/cache-root.ts
import os from "node:os";
import path3 from "node:path";
function cacheRoot(env2) {
  if (env2.CUBICLE_CACHE_DIR) return path3.resolve(env2.CUBICLE_CACHE_DIR);
  const base = env2.XDG_CACHE_HOME || path3.join(env2.HOME || os.homedir(), ".cache");
  return path3.join(base, "cubicle");
}

// src/core/package-root.ts
import fs3 from "node:fs";
import path4 from "node:path";
import { fileURLToPath } from "node:url";
function findPackageRoot(start) {
  for (let dir = start; ; dir = path4.dirname(dir)) {
    if (fs3.existsSync(path4.join(dir, "package.json"))) return dir;
    if (dir === path4.dirname(dir)) return start;
  }
}
var PACKAGE_ROOT = findPackageRoot(path4.dirname(fileURLToPath(import.meta.url)));

// src/sandbox/binaries.ts
var PREBUILT_PLATFORMS = ["linux-x64", "linux-arm64"];
var PROGRAMS = {
  sandbox: { file: "cubicle-sandbox", env: "CUBICLE_SANDBOX", checkout: "native/cubicle-sandbox", makeDir: "native", title: "the sandbox helper" },
  layer: { file: "cubicle-layer", env: "CUBICLE_LAYER_TOOL", checkout: "native/layer/cubicle-layer", makeDir: "native/layer", title: "the layer tool" }
};
function platformKey() {
  return `${process.platform}-${process.arch}`;
}
function platformPackage() {
  return `cubicle-${platformKey()}`;
}
function packageVersion(root = PACKAGE_ROOT) {
  try {
    return JSON.parse(fs4.readFileSync(path5.join(root, "package.json"), "utf8")).version ?? "0.0.0";
  } catch {
    return "0.0.0";
  }
}
function isExecutable(file) {
  try {
    fs4.accessSync(file, fs4.constants.X_OK);
    return fs4.statSync(file).isFile();
  } catch {
    return false;
  }
}
function findPlatformPackage(root = PACKAGE_ROOT) {
  try {
    const manifest = createRequire(path5.join(root, "package.json")).resolve(`${platformPackage()}/package.json`);
    const { version: version2 } = JSON.parse(fs4.readFileSync(manifest, "utf8"));
    return { dir: path5.dirname(manifest), version: version2 ?? "?" };
  } catch {
    return null;
  }
}
function onPath(name) {
  for (const dir of (process.env.PATH ?? "").split(":").filter(Boolean)) {
    if (isExecutable(path5.join(dir, name))) return path5.join(dir, name);
  }
  return null;
}
function sourceBuildDir() {
  return path5.join(cacheRoot(process.env), "native", `${packageVersion()}-${platformKey()}`);
}
function hasSources() {
  return Object.values(PROGRAMS).every((program) => fs4.existsSync(path5.join(PACKAGE_ROOT, program.makeDir, "Makefile")));
}
function buildFromSource() {
  const target = sourceBuildDir();
  const compiler = onPath("cc") ?? onPath("gcc");
  if (!compiler || !onPath("make") || !hasSources()) return null;
  const temp = `${target}.tmp-${process.pid}`;
  process.stderr.write(`cubicle: no ${platformPackage()} package is installed; building the helpers from source with ${compiler} into ${target} (once)
`);
  try {
    for (const [name, program] of Object.entries(PROGRAMS)) {
      const out = path5.join(temp, name);
      fs4.mkdirSync(out, { recursive: true });
      execFileSync("make", ["-s", "-C", path5.join(PACKAGE_ROOT, program.makeDir), `OUT=${out}`, `CC=${compiler}`], { stdio: ["ignore", 2, 2] });
    }
    fs4.mkdirSync(path5.dirname(target), { recursive: true });
    try {
      fs4.renameSync(temp, target);
    } catch {
    }
  } catch (error2) {
    throw new SandboxUnavailableError("HELPER_MISSING", `building the helpers from source with ${compiler} failed (its output is above); no job was run`, {
      hint: `Install the platform package instead: npm i -D ${platformPackage()}@${packageVersion()} (or reinstall cubicle without --omit=optional).`,
      cause: error2
    });
  } finally {
    fs4.rmSync(temp, { recursive: true, force: true });
  }
  return target;
}
function findNative(program, root = PACKAGE_ROOT) {
  const spec = PROGRAMS[program];
  const explicit = process.env[spec.env];
  if (explicit) return { path: explicit, source: "env", origin: `set by ${spec.env}` };
  const pkg = findPlatformPackage(root);
  if (pkg && pkg.version === packageVersion(root) && isExecutable(path5.join(pkg.dir, "bin", spec.file))) {
    return { path: path5.join(pkg.dir, "bin", spec.file), source: "package", origin: `from the platform package ${platformPackage()}@${pkg.version}` };
  }
  const checkout = path5.join(root, spec.checkout);
  if (isExecutable(checkout)) return { path: checkout, source: "checkout", origin: `built in this checkout's ${spec.makeDir}/` };
  const built = path5.join(sourceBuildDir(), program, spec.file);
  if (isExecutable(built)) return { path: built, source: "built", origin: `built from source into ${sourceBuildDir()}` };
  return null;
}
function locateNative(program) {
  const spec = PROGRAMS[program];
  const found2 = findNative(program) ?? (buildFromSource() ? findNative(program) : null);
  if (found2 && (found2.source !== "env" || isExecutable(found2.path))) return found2;
  if (found2) {
    throw new SandboxUnavailableError("HELPER_MISSING", `${spec.title} ${found2.path} (${found2.origin}) is missing or not executable; no job was run`, {
      hint: `Point ${spec.env} at an executable ${spec.file}, or unset it to use the platform package ${platformPackage()}.`
    });
  }
  const version2 = packageVersion();
  const stale = findPlatformPackage();
  const why = stale && stale.version !== version2 ? `the platform package ${platformPackage()} installed is version ${stale.version}, not cubicle's ${version2} (${stale.dir})` : PREBUILT_PLATFORMS.includes(platformKey()) ? `the platform package ${platformPackage()} is not installed (npm leaves optional dependencies out with --omit=optional, and when they fail to download)` : `there is no prebuilt package for ${platformKey()} (only ${PREBUILT_PLATFORMS.join(", ")})`;
  throw new SandboxUnavailableError(
    "HELPER_MISSING",
    `${spec.title} (${spec.file}) is missing: ${why}, and there is no C compiler and make to build it from source; no job was run`,
    {
      hint: PREBUILT_PLATFORMS.includes(platformKey()) ? `Install it: npm i -D ${platformPackage()}@${version2} (or reinstall cubicle without --omit=optional); or install a C compiler and make (sudo apt-get install gcc make libc6-dev) and cubicle builds it once from source.` : `Install a C compiler and make (sudo apt-get install gcc make libc6-dev, apk add build-base): cubicle then builds it once from source.`
    }
  );
}

// src/sandbox/helper.ts
var found;
function helperPath() {
  const env2 = process.env.CUBICLE_SANDBOX;
  if (found?.env !== env2 || found === void 0) found = { env: env2, path: locateNative("sandbox").path };
  return found.path;
}

// src/sandbox/maintenance.ts
function runHelper(args) {
  return new Promise((resolve) => {
    execFile(helperPath(), args, { encoding: "utf8" }, (error2, _stdout, stderr) => {
      if (!error2) return resolve(null);
      const message = stderr.trim().split("\n")[0]?.replace(/^cubicle-sandbox: /, "");
      resolve(message || error2.message);
    });
  });
}
function prepareCgroup(root, pids2) {
  return runHelper(["--cgroup-prepare", root, ...pids2.flatMap((pid) => ["--move", String(pid)])]);
}
function removeCgroup(dir) {
  return runHelper(["--cgroup-remove", dir]);
}
async function removeLeftoverCgroups(dirs) {
  for (const dir of dirs) {
    for (let tries = 0; tries < 20 && fs5.existsSync(dir); tries++) {
      if (await removeCgroup(dir) === null) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

// src/host/container.ts
import fs6 from "node:fs";
var hostProbe = {
  env: process.env,
  exists: (file) => fs6.existsSync(file),
  read: (file) => {
    try {
      return fs6.readFileSync(file, "utf8");
    } catch {
      return void 0;
    }
  }
};
function detectContainer(probe = hostProbe) {
  if (probe.env.KUBERNETES_SERVICE_HOST) return { engine: "kubernetes", evidence: "KUBERNETES_SERVICE_HOST is set" };
  if (probe.exists("/run/.containerenv")) return { engine: "podman", evidence: "/run/.containerenv" };
  if (probe.exists("/.dockerenv")) return { engine: "docker", evidence: "/.dockerenv" };
  const named = probe.env.container;
  if (named) return { engine: named === "podman" || named === "docker" ? named : "other", evidence: `container=${named}` };
  const cgroup = probe.read("/proc/1/cgroup") ?? "";
  const match = /\/(docker|libpod|kubepods|containerd|lxc)[-/.]/.exec(cgroup);
  if (!match) return null;
  const engine = match[1] === "docker" ? "docker" : match[1] === "libpod" ? "podman" : match[1] === "kubepods" ? "kubernetes" : "other";
  return { engine, evidence: `/proc/1/cgroup names ${match[1]}` };
}
var SECCOMP_FIX = {
  podman: "run the container with `--security-opt seccomp=unconfined` (smaller than --cap-add SYS_ADMIN or --privileged, which also lift it)",
  docker: "run the container with `--security-opt seccomp=unconfined` (smaller than --cap-add SYS_ADMIN or --privileged, which also lift it)",
  kubernetes: "set the pod's `securityContext: { seccompProfile: { type: Unconfined } }`",
  other: "give the container a seccomp profile that allows unshare, mount, sethostname and pivot_root, or none"
};
var PROC_FIX = {
  podman: "run the container with `--security-opt unmask=ALL` (or --privileged)",
  docker: "run the container with `--security-opt systempaths=unconfined` (or --privileged)",
  kubernetes: "set the container's `securityContext: { procMount: Unmasked }` (with `hostUsers: false`)",
  other: "start the container without masked /proc paths"
};
function containerUserNamespaceFix(context) {
  const options = `${SECCOMP_FIX[context.engine]}, and ${PROC_FIX[context.engine]}`;
  return `User namespaces are refused inside this container (${context.evidence}): ${options}; or use a VM.`;
}
function ownCgroupHidden(probe) {
  return (probe.read("/proc/self/cgroup") ?? "").split("\n").some((line) => {
    const [, controllers = "", own2 = "/"] = line.split(":");
    if (own2 === "/") return false;
    if (controllers === "") return probe.exists("/sys/fs/cgroup/cgroup.controllers") && !probe.exists(`/sys/fs/cgroup${own2}`);
    const names = controllers.split(",");
    if (!names.includes("memory") && !names.includes("pids")) return false;
    return probe.exists(`/sys/fs/cgroup/${controllers}`) && !probe.exists(`/sys/fs/cgroup/${controllers}${own2}`);
  });
}
function inUserNamespace(probe) {
  const map = (probe.read("/proc/self/uid_map") ?? "").trim().split(/\s+/);
  return map.length >= 3 && !(map[0] === "0" && map[1] === "0" && map[2] === "4294967295");
}
function cgroupsReadOnly(probe) {
  return (probe.read("/proc/self/mountinfo") ?? "").split("\n").some((line) => {
    const fields = line.split(" ");
    const type = fields[fields.indexOf("-") + 1] ?? "";
    return fields[4]?.startsWith("/sys/fs/cgroup") && /(^|,)ro(,|$)/.test(fields[5] ?? "") && /^cgroup2?$/.test(type);
  });
}
var CGROUPS_FIX = {
  userns: "none of the container's options makes cgroups writable for a container in a user namespace (rootless podman, userns-remap) on a cgroup-v1 host: run the container rootful with `--privileged --cgroupns=private`, or cubicle with --no-limits (nothing limits the jobs then)",
  kubernetes: "run the pod privileged (`securityContext: { privileged: true }`), or run cubicle with --no-limits and set the limits on the pod",
  runtime: "`--privileged --cgroupns=private` (the runtime mounts cgroups read-write only for a privileged container), or run with --no-limits and limit the container itself (`--memory`, `--pids-limit`, `--cpus`)",
  runtimeV2: "`--privileged` (the runtime mounts cgroups read-write only for a privileged container; on cgroup v2 its cgroup namespace is its own), or run with --no-limits and limit the container itself (`--memory`, `--pids-limit`, `--cpus`)"
};
function explainContainerCgroups(context, probe = hostProbe) {
  if (!context) return null;
  const reasons = [
    cgroupsReadOnly(probe) ? "the cgroup filesystem is mounted read-only" : "",
    ownCgroupHidden(probe) ? "the container shares the host's cgroup namespace, so its own cgroup is not the one it sees at /sys/fs/cgroup" : ""
  ].filter(Boolean);
  if (reasons.length === 0) return null;
  const cgroupV1 = !probe.exists("/sys/fs/cgroup/cgroup.controllers");
  const runtime = cgroupV1 ? CGROUPS_FIX.runtime : CGROUPS_FIX.runtimeV2;
  const fix = inUserNamespace(probe) && cgroupV1 ? CGROUPS_FIX.userns : context.engine === "kubernetes" ? CGROUPS_FIX.kubernetes : runtime;
  return { cause: `${reasons.join(", and ")} (inside a container: ${context.evidence})`, fix: `${fix}.` };
}

// src/host/delegation.ts
import fs12 from "node:fs";

// src/confine/resolve-beneath.ts
import fs7 from "node:fs";
import path6 from "node:path";
var MAX_SYMLINKS = 40;
function relativeParts(rel, notDone = "nothing was done") {
  if (rel.includes("\0")) throw new PathConfinementError(rel, "contains a NUL byte", notDone);
  if (path6.isAbsolute(rel)) throw new PathConfinementError(rel, "is absolute; it must be relative to its root", notDone);
  return rel.split("/").filter((part) => part !== "" && part !== ".");
}
function resolveBeneath(root, rel, options = {}) {
  const notDone = options.notDone ?? "nothing was done";
  const pending = relativeParts(rel, notDone).reverse();
  const parts = [];
  let hops = 0;
  while (pending.length > 0) {
    const part = pending.pop();
    if (part === "." || part === "") continue;
    if (part === "..") {
      if (parts.length === 0) throw new PathConfinementError(rel, `climbs above ${root} with ".."`, notDone);
      parts.pop();
      continue;
    }
    const current = path6.join(root, ...parts, part);
    const stat = fs7.lstatSync(current, { throwIfNoEntry: false });
    if (!stat) {
      if (!options.allowMissing) throw new PathConfinementError(rel, `does not exist beneath ${root} (${part} is missing)`, notDone);
      parts.push(part);
      continue;
    }
    const isFinal = pending.length === 0;
    if (stat.isSymbolicLink() && (!isFinal || options.followFinal !== false)) {
      hops += 1;
      if (hops > MAX_SYMLINKS) throw new PathConfinementError(rel, `has more than ${MAX_SYMLINKS} symlinks in a row (a loop)`, notDone);
      const target = fs7.readlinkSync(current);
      if (target.includes("\0")) throw new PathConfinementError(rel, "has a symlink with a NUL byte", notDone);
      if (path6.isAbsolute(target)) {
        const inside = path6.relative(root, target);
        if (inside.startsWith("..") || path6.isAbsolute(inside)) {
          throw new PathConfinementError(rel, `leads out of ${root} through the symlink ${path6.join(...parts, part)} -> ${target}`, notDone);
        }
        parts.length = 0;
        pending.push(...inside.split("/").filter(Boolean).reverse());
      } else {
        pending.push(...target.split("/").reverse());
      }
      continue;
    }
    if (!isFinal && !stat.isDirectory()) throw new PathConfinementError(rel, `${path6.join(...parts, part)} is not a directory`, notDone);
    parts.push(part);
  }
  return path6.join(root, ...parts);
}
function isBeneath(child, parent) {
  const relative = path6.relative(parent, child);
  return relative === "" || !relative.startsWith("..") && !path6.isAbsolute(relative);
}

// src/confine/open.ts
import fs8 from "node:fs";
import path7 from "node:path";
var { O_RDONLY, O_DIRECTORY, O_NOFOLLOW, O_NONBLOCK, O_WRONLY, O_CREAT, O_EXCL } = fs8.constants;
var DIR_FLAGS = O_RDONLY | O_DIRECTORY | O_NOFOLLOW;
function atPath(fd, name) {
  return `/proc/self/fd/${fd}/${name}`;
}
function describeOpenError(error2, where2, rel, notDone) {
  const code = error2.code;
  const stat = code === "ENOTDIR" || code === "ELOOP" ? fs8.lstatSync(where2, { throwIfNoEntry: false }) : void 0;
  if (stat?.isSymbolicLink()) {
    return new PathConfinementError(rel, `${where2} is a symlink (to ${fs8.readlinkSync(where2)}); cubicle does not follow it`, notDone, { cause: error2 });
  }
  const reason = code === "ELOOP" ? `${where2} is a symlink; cubicle does not follow it` : code === "ENOTDIR" ? `${where2} is not a directory` : code === "ENOENT" ? `${where2} does not exist` : `${where2}: ${code ?? error2.message}`;
  return new PathConfinementError(rel, reason, notDone, { cause: error2 });
}
function openDirBeneath(root, parts, options = {}) {
  const rel = options.rel ?? parts.join("/");
  const notDone = options.notDone ?? "nothing was written";
  if (options.create) fs8.mkdirSync(root, { recursive: true, mode: 493 });
  let fd = fs8.openSync(root, O_RDONLY | O_DIRECTORY);
  try {
    for (const [index, part] of parts.entries()) {
      if (part === ".." || part === "." || part.includes("/")) throw new PathConfinementError(rel, `has a "${part}" component`, notDone);
      const next = atPath(fd, part);
      if (options.create) {
        try {
          fs8.mkdirSync(next, { mode: options.mode ?? 493 });
        } catch (error2) {
          if (error2.code !== "EEXIST") throw describeOpenError(error2, path7.join(root, ...parts.slice(0, index + 1)), rel, notDone);
        }
      }
      let child;
      try {
        child = fs8.openSync(next, DIR_FLAGS);
      } catch (error2) {
        throw describeOpenError(error2, path7.join(root, ...parts.slice(0, index + 1)), rel, notDone);
      }
      fs8.closeSync(fd);
      fd = child;
    }
    return fd;
  } catch (error2) {
    fs8.closeSync(fd);
    throw error2;
  }
}
function withDirBeneath(root, rel, use, options = {}) {
  const fd = openDirBeneath(root, relativeParts(rel, options.notDone), { ...options, rel });
  try {
    return use(fd);
  } finally {
    fs8.closeSync(fd);
  }
}
function makeDirsBeneath(root, rel, mode = 493, notDone = "no directory was made") {
  withDirBeneath(root, rel, () => void 0, { create: true, mode, notDone });
  return path7.join(root, ...relativeParts(rel));
}
function openFileBeneath(root, rel, notDone = "nothing was read") {
  const parts = relativeParts(rel, notDone);
  const name = parts.pop();
  if (name === void 0) throw new PathConfinementError(rel, "names no file", notDone);
  const dir = openDirBeneath(root, parts, { rel, notDone });
  let fd;
  try {
    fd = fs8.openSync(atPath(dir, name), O_RDONLY | O_NOFOLLOW | O_NONBLOCK);
  } catch (error2) {
    throw describeOpenError(error2, path7.join(root, ...parts, name), rel, notDone);
  } finally {
    fs8.closeSync(dir);
  }
  const stat = fs8.fstatSync(fd);
  if (!stat.isFile()) {
    fs8.closeSync(fd);
    throw new PathConfinementError(rel, "is not a regular file", notDone);
  }
  return fd;
}

// src/confine/write.ts
import { execFileSync as execFileSync2 } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs10 from "node:fs";
import path8 from "node:path";

// src/core/atomic-write.ts
import fs9 from "node:fs";
function replaceThroughTemp(temp, target, fill) {
  try {
    fill(temp);
    fs9.renameSync(temp, target);
  } catch (error2) {
    fs9.rmSync(temp, { force: true });
    throw error2;
  }
}

// src/confine/write.ts
var { O_WRONLY: O_WRONLY2, O_CREAT: O_CREAT2, O_EXCL: O_EXCL2, O_NOFOLLOW: O_NOFOLLOW2 } = fs10.constants;
function splitFile(rel, notDone) {
  const parts = relativeParts(rel, notDone);
  const name = parts.pop();
  if (name === void 0 || name === "..") throw new PathConfinementError(rel, "names no file", notDone);
  return { dirParts: parts, name };
}
function copyFileBeneath(srcRoot, srcRel, dstRoot, dstRel, options = {}) {
  const notDone = options.notDone ?? "nothing was copied";
  const source = openFileBeneath(srcRoot, srcRel, notDone);
  try {
    const { dirParts, name } = splitFile(dstRel, notDone);
    return placeBeneath(dstRoot, dstRel, dirParts, name, options, notDone, (temp) => {
      if (options.sparse) copySparse(source, temp);
      else fs10.copyFileSync(`/proc/self/fd/${source}`, temp, fs10.constants.COPYFILE_EXCL | fs10.constants.COPYFILE_FICLONE);
      if (options.mode !== void 0) fs10.chmodSync(temp, options.mode);
    });
  } finally {
    fs10.closeSync(source);
  }
}
function copySparse(source, temp) {
  const mine = `/proc/${process.pid}/`;
  execFileSync2("cp", ["--sparse=always", "--", `${mine}fd/${source}`, temp.replace("/proc/self/", mine)], {
    env: { PATH: "/usr/bin:/bin", LC_ALL: "C" },
    stdio: ["ignore", "ignore", "pipe"]
  });
}
function placeBeneath(root, rel, dirParts, name, options, notDone, fill) {
  const dir = openDirBeneath(root, dirParts, { create: true, mode: options.dirMode ?? 493, rel, notDone });
  try {
    options.beforeWrite?.(`/proc/self/fd/${dir}`);
    const temp = atPath(dir, `.${name}.${options.tempTag ?? process.pid}-${randomBytes(3).toString("hex")}.tmp`);
    try {
      replaceThroughTemp(temp, atPath(dir, name), fill);
    } catch (error2) {
      if (error2 instanceof PathConfinementError) throw error2;
      const code = error2.code;
      throw new PathConfinementError(path8.join(root, rel), `could not be written (${code ?? error2.message})`, notDone, { cause: error2 });
    }
  } finally {
    fs10.closeSync(dir);
  }
  return path8.join(root, ...dirParts, name);
}

// src/confine/env-path.ts
import path9 from "node:path";
var HOST_PATH_VARIABLES = ["HOME"];
function hostPathProblem(value) {
  if (!path9.posix.isAbsolute(value)) return `"${value}" is not an absolute path`;
  if (value.split("/").includes("..")) return `"${value}" has a ".." component`;
  const normal = path9.posix.normalize(value);
  if (normal !== value && `${normal}/` !== value) return `"${value}" is not normalized (it means "${normal}")`;
  return null;
}
function envPathProblems(env2, where2) {
  const problems = [];
  for (const name of HOST_PATH_VARIABLES) {
    const value = env2?.[name];
    if (value === void 0) continue;
    const problem = hostPathProblem(String(value));
    if (problem) problems.push(`${where2}.${name}: ${problem}; cubicle makes it a dir of the sandbox, so it must be absolute and normalized, like /home/ci`);
  }
  return problems;
}

// src/core/process-tag.ts
import fs11 from "node:fs";
function processStartTime(pid) {
  try {
    const stat = fs11.readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19];
  } catch {
    return void 0;
  }
}
var ownStart;
function ownStartTime() {
  ownStart ??= processStartTime(process.pid) ?? "0";
  return ownStart;
}
function processTag() {
  return `${process.pid}-${ownStartTime()}`;
}

// src/host/delegation.ts
var DELEGATION_FILE = process.env.CUBICLE_DELEGATION_FILE || "/etc/cubicle/delegation.json";
function readDelegation() {
  try {
    return JSON.parse(fs12.readFileSync(DELEGATION_FILE, "utf8"));
  } catch {
    return void 0;
  }
}

// src/host/runtime-dir.ts
function userRuntimeDir(uid) {
  return process.env.XDG_RUNTIME_DIR || `/run/user/${uid}`;
}

// src/host/cgroups.ts
var V1_CONTROLLERS = ["memory", "cpu", "cpuacct", "pids"];
var V2_CONTROLLERS = ["memory", "cpu", "pids"];
function jobCgroupDirs(placement, name) {
  return cgroupParents(placement).map((parent) => path10.join(parent, name));
}
function cgroupParents(placement) {
  if (placement.kind === "v2") return [placement.parent];
  if (placement.kind === "v1") return [...new Set(Object.values(placement.parents))];
  return [];
}
function readMemberships() {
  const text = fs13.readFileSync("/proc/self/cgroup", "utf8");
  return text.split("\n").filter(Boolean).map((line) => {
    const [, controllers = "", cgroupPath = "/"] = /^(?:\d+):([^:]*):(.*)$/.exec(line) ?? [];
    return { controllers: controllers ? controllers.split(",") : [], path: cgroupPath };
  });
}
function readMounts() {
  const mounts = /* @__PURE__ */ new Map();
  for (const line of fs13.readFileSync("/proc/self/mountinfo", "utf8").split("\n")) {
    const [left, right] = line.split(" - ");
    if (!left || !right) continue;
    const mountPoint = left.split(" ")[4];
    const [fsType, , options = ""] = right.split(" ");
    if (fsType === "cgroup2" && !mounts.has("")) mounts.set("", mountPoint);
    if (fsType === "cgroup") {
      for (const option of options.split(",")) if (!mounts.has(option)) mounts.set(option, mountPoint);
    }
  }
  return mounts;
}
function writable(dir, files) {
  try {
    fs13.accessSync(dir, fs13.constants.W_OK);
    for (const file of files) fs13.accessSync(path10.join(dir, file), fs13.constants.W_OK);
    return true;
  } catch {
    return false;
  }
}
function readWords(file) {
  try {
    return fs13.readFileSync(file, "utf8").trim().split(/\s+/).filter(Boolean);
  } catch {
    return [];
  }
}
function cgroupVersion() {
  const memberships = readMemberships();
  if (memberships.some((m) => m.controllers.includes("memory"))) return "v1";
  if (memberships.length === 1 && memberships[0].controllers.length === 0 && readMounts().has("")) return "v2";
  return "none";
}
async function findCgroupPlacement(user2, options = { prepare: true }) {
  const version2 = cgroupVersion();
  const placement = version2 === "v2" ? await placeV2(user2, options.prepare) : version2 === "v1" ? placeV1(user2) : {
    kind: "unavailable",
    reason: "no cgroup hierarchy with memory, cpu and pids controllers is mounted",
    fix: "Mount cgroup2 at /sys/fs/cgroup (any systemd distribution does).",
    systemdScope: false
  };
  if (placement.kind !== "unavailable" || placement.systemdScope) return placement;
  const container = explainContainerCgroups(detectContainer());
  return container ? { ...placement, reason: `${placement.reason}: ${container.cause}`, fix: container.fix } : placement;
}
async function placeV2(user2, prepare) {
  const mount = readMounts().get("");
  const own2 = path10.resolve(mount, `.${readMemberships()[0].path}`);
  const root = path10.basename(own2) === "runner" && writable(path10.dirname(own2), ["cgroup.procs", "cgroup.subtree_control"]) ? path10.dirname(own2) : own2;
  if (!writable(root, ["cgroup.procs", "cgroup.subtree_control"])) {
    return v2Unavailable(user2, `the runner's cgroup ${own2} is not delegated to ${user2.name}`);
  }
  const missing = V2_CONTROLLERS.filter((controller) => !readWords(path10.join(root, "cgroup.controllers")).includes(controller));
  if (missing.length > 0) {
    const controllers = `${missing.join(", ")} controller${missing.length > 1 ? "s" : ""}`;
    return v2Unavailable(user2, `the runner's cgroup ${own2} is writable but not delegated: its parent gives it no ${controllers}`);
  }
  const enabled = readWords(path10.join(root, "cgroup.subtree_control"));
  const movers = [process.pid, ...ancestorsInOwnCgroup()];
  const others = root === own2 ? readWords(path10.join(own2, "cgroup.procs")).map(Number).filter((pid) => !movers.includes(pid)) : [];
  if (others.length > 0) {
    const reason = `the runner's cgroup ${own2} is delegated, but other processes live in it (${describeProcesses(others)}), so it cannot enable controllers for job cgroups`;
    return v2Unavailable(user2, reason);
  }
  if (prepare && (root === own2 || !V2_CONTROLLERS.every((controller) => enabled.includes(controller)))) {
    const failure2 = await prepareCgroup(root, movers);
    if (failure2) return v2Unavailable(user2, `the runner's cgroup ${own2} is delegated, but cannot hold job cgroups: ${failure2}`);
  }
  return { kind: "v2", parent: root };
}
function ancestorsInOwnCgroup() {
  const relative = readMemberships()[0].path;
  const ancestors = [];
  for (let pid = process.ppid; pid > 1 && ancestors.length < 15; ) {
    let stat;
    let membership;
    try {
      stat = fs13.readFileSync(`/proc/${pid}/stat`, "utf8");
      membership = fs13.readFileSync(`/proc/${pid}/cgroup`, "utf8").trim();
    } catch {
      break;
    }
    if (membership !== `0::${relative}`) break;
    ancestors.push(pid);
    pid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
  }
  return ancestors;
}
function describeProcesses(pids2) {
  const named = pids2.slice(0, 5).map((pid) => {
    try {
      return `${pid} (${fs13.readFileSync(`/proc/${pid}/comm`, "utf8").trim()})`;
    } catch {
      return String(pid);
    }
  });
  return `${named.join(", ")}${pids2.length > 5 ? ` and ${pids2.length - 5} more` : ""}`;
}
function v2Unavailable(user2, reason) {
  const scope = systemdUserManagerReachable(user2.uid);
  return {
    kind: "unavailable",
    reason,
    fix: scope ? "cubicle re-runs itself under `systemd-run --user --scope -p Delegate=yes`; if that failed, check `systemctl --user status`." : `Run once, as root: \`sudo npx cubicle setup --user ${user2.name}\` (delegates cgroups to the user's systemd manager and keeps it running), or start cubicle in a cgroup delegated to it and holding nothing else (\`systemd-run --user --scope -p Delegate=yes npx cubicle run\`).`,
    systemdScope: scope
  };
}
function systemdUserManagerReachable(uid) {
  if (process.env.CUBICLE_SYSTEMD_SCOPE) return false;
  return fs13.existsSync("/usr/bin/systemd-run") && fs13.existsSync(path10.join(userRuntimeDir(uid), "systemd", "private"));
}
function ownV1Cgroups() {
  const mounts = readMounts();
  const memberships = readMemberships();
  const own2 = {};
  for (const controller of V1_CONTROLLERS) {
    const membership = memberships.find((m) => m.controllers.includes(controller));
    const mount = mounts.get(controller);
    if (membership && mount) own2[controller] = path10.join(mount, membership.path);
  }
  return own2;
}
function placeV1(user2) {
  const owned = ownV1Cgroups();
  const delegation = readDelegation()?.users[user2.name]?.v1;
  const parents = {};
  const missing = [];
  for (const controller of V1_CONTROLLERS) {
    const own2 = owned[controller];
    if (!own2) {
      if (controller !== "cpuacct") missing.push(controller);
      continue;
    }
    const delegated = delegation?.[controller];
    if (writable(own2, ["cgroup.procs"])) parents[controller] = own2;
    else if (delegated && isBeneath2(delegated, own2) && writable(delegated, ["cgroup.procs"])) parents[controller] = delegated;
    else if (controller !== "cpuacct") missing.push(controller);
  }
  if (missing.length > 0) {
    return {
      kind: "unavailable",
      reason: `cgroup v1: no writable ${missing.join(", ")} cgroup beneath the runner's own for ${user2.name}`,
      fix: `Run once, as root: \`sudo npx cubicle setup --user ${user2.name}\` (delegates a subtree beneath the current cgroup in each hierarchy).`,
      systemdScope: false
    };
  }
  return { kind: "v1", parents };
}
function isBeneath2(child, parent) {
  const relative = path10.relative(parent, child);
  return relative !== "" && !relative.startsWith("..") && !path10.isAbsolute(relative);
}

// src/host/checks.ts
import fs16 from "node:fs";
import os2 from "node:os";

// src/sandbox/host-root.ts
import fs14 from "node:fs";
var HOST_DIRS = ["/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/etc", "/opt"];
var cached;
function hostImageOps() {
  if (cached) return cached;
  const ops = [];
  for (const dir of HOST_DIRS) {
    let stat;
    try {
      stat = fs14.lstatSync(dir);
    } catch {
      continue;
    }
    if (stat.isSymbolicLink()) ops.push({ kind: "symlink", target: fs14.readlinkSync(dir), dest: dir });
    else if (stat.isDirectory()) ops.push({ kind: "ro-bind", src: dir, dest: dir });
  }
  if (ops.some((op) => op.dest === "/etc" && op.kind === "ro-bind")) ops.push(...hostSecretMasks());
  cached = Object.freeze(ops);
  return cached;
}
function hostSecretMasks() {
  const secrets = ["/etc/shadow", "/etc/shadow-", "/etc/gshadow", "/etc/gshadow-", "/etc/sudoers", "/etc/security/opasswd"];
  try {
    for (const name of fs14.readdirSync("/etc/ssh")) if (/^ssh_host_.*_key$/.test(name)) secrets.push(`/etc/ssh/${name}`);
  } catch {
  }
  return secrets.filter((file) => fs14.lstatSync(file, { throwIfNoEntry: false })?.isFile()).map((file) => ({ kind: "ro-bind", src: "/dev/null", dest: file }));
}

// src/sandbox/remove-tree.ts
import { execFile as execFile2 } from "node:child_process";
import { promisify } from "node:util";

// src/sandbox/skeleton.ts
import fs15 from "node:fs";
import path11 from "node:path";
function makeSkeleton(skeleton) {
  fs15.mkdirSync(skeleton.upper, { recursive: true, mode: 493 });
  fs15.mkdirSync(skeleton.work, { recursive: true, mode: 448 });
  writeSkeleton(skeleton.dir, skeleton.ops, skeleton.home);
}
function writeSkeleton(dir, ops, home) {
  const notDone = "the sandbox was not made";
  const beneath = (dest) => path11.relative(dir, resolveBeneath(dir, dest.replace(/^\/+/, "") || ".", { allowMissing: true, notDone }));
  const ensureDir = (dest) => makeDirsBeneath(dir, beneath(dest) || ".", 493, "the sandbox was not made");
  for (const op of ops) {
    if (op.kind === "symlink") {
      ensureDir(path11.dirname(op.dest));
      withDirBeneath(dir, beneath(path11.dirname(op.dest)) || ".", (fd) => {
        if (!fs15.lstatSync(atPath(fd, path11.basename(op.dest)), { throwIfNoEntry: false })) fs15.symlinkSync(op.target, atPath(fd, path11.basename(op.dest)));
      });
    } else if (op.kind === "bind" || op.kind === "ro-bind" || op.kind === "dev-bind") {
      if (fs15.statSync(op.src).isDirectory()) ensureDir(op.dest);
      else {
        ensureDir(path11.dirname(op.dest));
        withDirBeneath(dir, beneath(path11.dirname(op.dest)) || ".", (fd) => {
          const { O_WRONLY: O_WRONLY3, O_CREAT: O_CREAT3, O_NOFOLLOW: O_NOFOLLOW3 } = fs15.constants;
          fs15.closeSync(fs15.openSync(atPath(fd, path11.basename(op.dest)), O_WRONLY3 | O_CREAT3 | O_NOFOLLOW3, 420));
        });
      }
    } else {
      ensureDir(op.dest);
    }
  }
  if (path11.isAbsolute(home)) ensureDir(home);
  fs15.chmodSync(path11.join(dir, "tmp"), 1023);
}

// src/sandbox/spawn.ts
import { spawn } from "node:child_process";
import { pipeline } from "node:stream/promises";

// src/sandbox/ops.ts
var STATUS_FD = 3;
function toHelperArgs(spec) {
  const args = ["--hostname", spec.hostname, "--status-fd", String(STATUS_FD), "--chdir", spec.cwd];
  if (spec.shareNetwork) args.push("--share-net");
  if (spec.timeoutMs !== void 0) args.push("--timeout-ms", String(Math.ceil(spec.timeoutMs)));
  if (spec.newSession === false) args.push("--no-new-session");
  if (spec.keepCapabilities) args.push("--keep-caps");
  if (spec.volatileUpper) args.push("--volatile-upper");
  if (spec.join !== void 0) args.push("--join", String(spec.join));
  if (spec.userns !== void 0) args.push("--userns", spec.userns);
  if (spec.netns !== void 0) args.push("--netns", spec.netns);
  if (spec.user) args.push("--user", `${spec.user.uid}:${spec.user.gid}`);
  if (spec.seccomp === "unconfined") args.push("--seccomp", "unconfined");
  if (spec.cgroup) args.push(...cgroupArgs(spec.cgroup));
  if (spec.disk) {
    args.push("--disk-tmpfs", String(spec.disk.bytes));
    for (const keep of spec.disk.keep) args.push("--keep-upper", keep.dest, keep.glob);
  }
  for (const op of spec.ops) args.push(...opArgs(op));
  args.push("--", ...spec.command);
  return args;
}
function cgroupArgs(cgroup) {
  const args = cgroup.dirs.flatMap((dir) => ["--cgroup", dir]);
  if (cgroup.memoryBytes !== void 0) args.push("--memory-max", String(cgroup.memoryBytes));
  if (cgroup.cpus !== void 0) args.push("--cpus", String(cgroup.cpus));
  if (cgroup.pids !== void 0) args.push("--pids-max", String(cgroup.pids));
  return args;
}
function opArgs(op) {
  switch (op.kind) {
    case "overlay":
      return ["--overlay", joinLowers(op.lowers), op.upper, op.work, op.dest];
    case "ro-overlay":
      return ["--ro-overlay", joinLowers(op.lowers), op.dest];
    case "bind":
    case "ro-bind":
    case "dev-bind":
      return [`--${op.kind}`, op.src, op.dest];
    case "tmpfs":
      return [
        ...op.sizeBytes ? ["--size", String(op.sizeBytes)] : [],
        ...op.mode !== void 0 ? ["--perms", op.mode.toString(8)] : [],
        "--tmpfs",
        op.dest
      ];
    case "dir":
      return [...op.mode !== void 0 ? ["--perms", op.mode.toString(8)] : [], "--dir", op.dest];
    case "symlink":
      return ["--symlink", op.target, op.dest];
    case "proc":
    case "dev":
      return [`--${op.kind}`, op.dest];
  }
}
function orderByDepth(ops) {
  const depth = (dest) => dest === "/" ? 0 : dest.split("/").filter(Boolean).length;
  return ops.map((op, index) => ({ op, index })).sort((a, b) => depth(a.op.dest) - depth(b.op.dest) || a.index - b.index).map(({ op }) => op);
}
function joinLowers(lowers) {
  return lowers.map((lower) => lower.replace(/[\\:]/g, (char) => `\\${char}`)).join(":");
}

// src/sandbox/spawn.ts
var OUTPUT_TAIL_BYTES = 64 * 1024;
var MAX_LINE_BYTES = 64 * 1024;
async function runSandbox(spec, options = {}) {
  if (spec.skeleton) makeSkeleton(spec.skeleton);
  const started = performance.now();
  const interactive = options.stdio === "inherit" || options.stdio === "inherit-merged";
  const child = spawn(helperPath(), toHelperArgs(spec), {
    env: spec.env,
    stdio: interactive ? ["inherit", "inherit", options.stdio === "inherit-merged" ? 1 : "inherit", "pipe"] : [options.input ? "pipe" : "ignore", "pipe", "pipe", "pipe"]
  });
  if (child.pid !== void 0) options.onSpawn?.(child.pid);
  const fed = options.input && child.stdin ? feed(options.input, child.stdin) : Promise.resolve(void 0);
  const exited = new Promise((resolve, reject) => {
    child.once("error", reject);
    child.once("close", (exitCode, signal) => resolve({ exitCode, signal }));
  });
  const stopOnAbort = () => terminate(child, options.killGraceMs ?? 5e3);
  if (options.signal?.aborted) stopOnAbort();
  options.signal?.addEventListener("abort", stopOnAbort, { once: true });
  const tail = new OutputTail(OUTPUT_TAIL_BYTES);
  const readers = [];
  if (!interactive) {
    for (const stream of ["stdout", "stderr"]) {
      const readable = child[stream];
      if (readable) {
        readers.push(
          readLines(
            readable,
            (line) => {
              tail.push(line);
              options.onLine?.(stream, line);
            },
            options.backpressure
          )
        );
      }
    }
  }
  const statusStream = child.stdio[STATUS_FD];
  try {
    const [result, text, inputError] = await Promise.all([exited, statusStream ? collect(statusStream) : Promise.resolve(""), fed, ...readers]);
    if (result.signal && spec.cgroup) await removeLeftoverCgroups(spec.cgroup.dirs);
    return { status: parseStatus(text, result, performance.now() - started), outputTail: tail.text(), inputError };
  } finally {
    options.signal?.removeEventListener("abort", stopOnAbort);
  }
}
function terminate(child, graceMs) {
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
  timer.unref();
  child.once("close", () => clearTimeout(timer));
}
function parseStatus(text, result, wallMs) {
  const line = text.trim().split("\n").pop();
  if (line) {
    try {
      const status = JSON.parse(line);
      return { ...status, oomKilled: status.oomKilled ?? false, cgroup: status.cgroup ?? null };
    } catch {
    }
  }
  const how = result.signal ? `was killed by ${result.signal}` : `exited with ${result.exitCode}`;
  return {
    exitCode: null,
    signal: result.signal ?? null,
    wallMs,
    startupMs: null,
    cpuUserMs: 0,
    cpuSystemMs: 0,
    peakRssBytes: 0,
    timedOut: false,
    oomKilled: false,
    cgroup: null,
    error: { stage: "helper", errno: null, message: `the sandbox helper ${how} without reporting a status` }
  };
}
async function feed(input, stdin) {
  try {
    await pipeline(input, stdin);
    return void 0;
  } catch (error2) {
    return error2;
  }
}
async function collect(stream) {
  let text = "";
  for await (const chunk of stream) text += String(chunk);
  return text;
}
async function readLines(stream, onLine, backpressure) {
  let pending = "";
  for await (const chunk of stream) {
    pending += String(chunk);
    let newline = pending.indexOf("\n");
    while (newline !== -1) {
      onLine(pending.slice(0, newline));
      pending = pending.slice(newline + 1);
      newline = pending.indexOf("\n");
    }
    while (pending.length > MAX_LINE_BYTES) {
      onLine(pending.slice(0, MAX_LINE_BYTES));
      pending = pending.slice(MAX_LINE_BYTES);
    }
    const wait = backpressure?.();
    if (wait) await wait;
  }
  if (pending) onLine(pending);
}
var OutputTail = class {
  constructor(limit) {
    this.limit = limit;
  }
  limit;
  lines = [];
  size = 0;
  push(line) {
    this.lines.push(line);
    this.size += line.length + 1;
    while (this.size > this.limit && this.lines.length > 1) this.size -= this.lines.shift().length + 1;
  }
  text() {
    return this.lines.join("\n");
  }
};

// src/sandbox/remove-tree.ts
var run = promisify(execFile2);

// src/host/checks.ts
function readText(file) {
  try {
    return fs16.readFileSync(file, "utf8").trim();
  } catch {
    return void 0;
  }
}
function userName() {
  try {
    return os2.userInfo().username;
  } catch {
    return String(process.getuid?.() ?? "USER");
  }
}
function appArmorRestrictsUserns() {
  return readText("/proc/sys/kernel/apparmor_restrict_unprivileged_userns") === "1";
}
function userNamespaceFix() {
  if (appArmorRestrictsUserns()) {
    return 'AppArmor forbids unprivileged user namespaces here (kernel.apparmor_restrict_unprivileged_userns=1). Allow them for cubicle alone with `sudo npx cubicle setup --user "$USER"`, which installs a profile for the helper, instead of turning the restriction off for the whole machine.';
  }
  if (readText("/proc/sys/kernel/unprivileged_userns_clone") === "0") {
    return "Enable them: `sudo sysctl -w kernel.unprivileged_userns_clone=1` (and add it to /etc/sysctl.d/ to keep it).";
  }
  if (readText("/proc/sys/user/max_user_namespaces") === "0") {
    return "Allow them: `sudo sysctl -w user.max_user_namespaces=15000` (and add it to /etc/sysctl.d/ to keep it).";
  }
  const container = detectContainer();
  if (container) return containerUserNamespaceFix(container);
  return "User namespaces are refused by this kernel or its container runtime (inside Docker, run with --security-opt seccomp=unconfined or use a VM).";
}

// src/host/host-failure.ts
var USERNS_STAGES = /* @__PURE__ */ new Set(["clone", "uid_map"]);
function explainHostFailure(status) {
  const error2 = status.error;
  if (!error2) return;
  if (USERNS_STAGES.has(error2.stage)) {
    throw new SandboxUnavailableError("USERNS_DISABLED", `cannot create a sandbox: ${error2.message}; no job was run further`, { hint: userNamespaceFix() });
  }
  const overlayRefused = error2.stage === "mount" && error2.message.includes("overlay") && [1, 13, 19, 95].includes(error2.errno ?? 0);
  if (overlayRefused) {
    throw new SandboxUnavailableError("OVERLAY_UNSUPPORTED", `cannot mount overlayfs in a user namespace: ${error2.message}; no job was run further`, {
      hint: "Overlayfs in user namespaces needs Linux 5.11 or later, and the cache dir must not be on overlayfs: set CUBICLE_CACHE_DIR to a directory on ext4, xfs, btrfs or tmpfs. `cubicle doctor` checks this."
    });
  }
}

// src/config/code/output.ts
var PAYLOAD_LINE_CHARS = 16 * 1024;
var MAX_PAYLOAD_BYTES = 4 * 1024 * 1024;
var PayloadReader = class {
  constructor(markers, limitBytes = MAX_PAYLOAD_BYTES) {
    this.markers = markers;
    this.limitBytes = limitBytes;
  }
  markers;
  limitBytes;
  open = null;
  openBytes = 0;
  overflowed = false;
  complete = null;
  completeOverflowed = false;
  push(line) {
    if (line === this.markers.start) {
      this.open = [];
      this.openBytes = 0;
      this.overflowed = false;
    } else if (line === this.markers.end && this.open) {
      this.complete = this.overflowed ? null : this.open.join("");
      this.completeOverflowed = this.overflowed;
      this.open = null;
    } else if (this.open && !this.overflowed) {
      this.openBytes += line.length;
      if (this.openBytes > this.limitBytes) {
        this.overflowed = true;
        this.open = [];
      } else {
        this.open.push(line);
      }
    }
  }
  payload() {
    if (this.completeOverflowed) return { kind: "too-big", limitBytes: this.limitBytes };
    if (this.complete === null) return { kind: "missing" };
    return { kind: "json", text: this.complete };
  }
};
var LineTail = class {
  constructor(maxLines = 20, maxChars = 400) {
    this.maxLines = maxLines;
    this.maxChars = maxChars;
  }
  maxLines;
  maxChars;
  lines = [];
  push(line) {
    this.lines.push(line.replace(/[\u0000-\u001f\u007f-\u009f]/g, " ").slice(0, this.maxChars));
    if (this.lines.length > this.maxLines) this.lines.shift();
  }
  text() {
    return this.lines.filter((line) => line.trim()).join("\n");
  }
};

// src/config/code/program.ts
var TYPESCRIPT_UNAVAILABLE = "typescriptUnavailable";
var TYPESCRIPT_HOOKS = `
import { createRequire } from 'node:module';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
let ts;
export function initialize(data) { ts = createRequire(data.typescript)(data.typescript); }
export async function load(url, context, nextLoad) {
  if (!url.startsWith('file:') || !/\\.[cm]?ts$/.test(new URL(url).pathname)) return nextLoad(url, context);
  const fileName = fileURLToPath(url);
  const source = await readFile(fileName, 'utf8');
  const compilerOptions = { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, esModuleInterop: true };
  return { format: 'module', source: ts.transpileModule(source, { fileName, compilerOptions }).outputText, shortCircuit: true };
}
`;
function evaluatorSource(input) {
  return `
import { createRequire, register } from 'node:module';
import { existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
const input = ${JSON.stringify(input)};
const isTypeScript = /\\.[cm]?ts$/.test(input.file);
const url = pathToFileURL(input.file).href;

function report(envelope) {
  // ASCII only: the runner reads lines as chunks of UTF-8 and must not see a character split.
  const json = JSON.stringify(envelope).replace(/[\\u007f-\\uffff]/g, (c) => '\\\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'));
  const lines = ['', input.markers.start];
  for (let at = 0; at < json.length; at += input.lineChars) lines.push(json.slice(at, at + input.lineChars));
  lines.push(input.markers.end, '');
  process.stdout.write(lines.join('\\n'), () => process.exit(0));
}

function findTypeScript() {
  try {
    return createRequire(input.file).resolve('typescript');
  } catch {
    return input.runnerTypescript && existsSync(input.runnerTypescript) ? input.runnerTypescript : null;
  }
}

async function importConfig() {
  if (!isTypeScript || process.features.typescript) {
    try {
      return { module: await import(url) };
    } catch (error) {
      if (!isTypeScript || error?.code !== 'ERR_UNSUPPORTED_TYPESCRIPT_SYNTAX') throw error;
    }
  }
  const typescript = findTypeScript();
  if (!typescript) return { typescriptUnavailable: true };
  register('data:text/javascript,' + encodeURIComponent(${JSON.stringify(TYPESCRIPT_HOOKS)}), { data: { typescript } });
  return { module: await import(url + '?compiled') };
}

try {
  const imported = await importConfig();
  if (imported.typescriptUnavailable) {
    report({ ${TYPESCRIPT_UNAVAILABLE}: true });
  } else {
    const exported = imported.module.default;
    report({ config: await (typeof exported === 'function' ? exported() : exported) });
  }
} catch (error) {
  process.stderr.write(String(error?.stack ?? error) + '\\n', () => process.exit(1));
}
`;
}

// src/config/code/spec.ts
import fs17 from "node:fs";
import { createRequire as createRequire2 } from "node:module";
import path12 from "node:path";
var MIB = 1024 * 1024;
var EVALUATION_LIMITS = {
  timeoutMs: 1e4,
  /** V8's old space: a config that builds a huge object dies of "heap out of memory". */
  heapMiB: 256,
  /** RLIMIT_DATA: every private writable mapping (Buffers, the heap, malloc), cgroups or not. */
  dataBytes: 1024 * MIB,
  /** The cgroup's memory.max, where cgroups are delegated. */
  cgroupMemoryBytes: 1024 * MIB,
  /** RLIMIT_NPROC (threads count: Node has about a dozen), and pids.max where cgroups are delegated. */
  processes: 64,
  tmpBytes: 16 * MIB
};
var EVALUATION_HOME = "/tmp/home";
var DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
var LIMITS_NOT_SET_EXIT = 125;
function evaluationSpec(request) {
  const node2 = fs17.realpathSync(process.execPath);
  const runnerTypescript = findRunnerTypescript();
  const system = hostImageOps();
  const mounts = [
    { kind: "proc", dest: "/proc" },
    { kind: "dev", dest: "/dev" },
    { kind: "tmpfs", dest: "/tmp", sizeBytes: EVALUATION_LIMITS.tmpBytes, mode: 1023 },
    { kind: "dir", dest: EVALUATION_HOME, mode: 448 },
    { kind: "ro-bind", src: request.projectDir, dest: request.projectDir }
  ];
  if (!isVisible(node2, system, request.projectDir)) mounts.push({ kind: "ro-bind", src: node2, dest: node2 });
  if (runnerTypescript && !isVisible(runnerTypescript.dir, system, request.projectDir)) {
    mounts.push({ kind: "ro-bind", src: runnerTypescript.dir, dest: runnerTypescript.dir });
  }
  const source = evaluatorSource({
    file: request.file,
    markers: request.markers,
    lineChars: PAYLOAD_LINE_CHARS,
    runnerTypescript: runnerTypescript?.main ?? null
  });
  const env2 = { PATH: request.hostEnv.PATH || DEFAULT_PATH, HOME: EVALUATION_HOME };
  if (request.hostEnv.LANG) env2.LANG = request.hostEnv.LANG;
  return {
    ops: orderByDepth([...system, ...mounts]),
    command: [
      "/bin/sh",
      "-c",
      LIMITS_SCRIPT,
      "sh",
      node2,
      `--max-old-space-size=${EVALUATION_LIMITS.heapMiB}`,
      "--no-warnings",
      "--input-type=module",
      "-e",
      source
    ],
    env: env2,
    cwd: request.projectDir,
    hostname: "cubicle-config",
    shareNetwork: false,
    timeoutMs: EVALUATION_LIMITS.timeoutMs,
    cgroup: request.cgroupDirs.length > 0 ? { dirs: request.cgroupDirs, memoryBytes: EVALUATION_LIMITS.cgroupMemoryBytes, pids: EVALUATION_LIMITS.processes } : void 0
  };
}
var LIMITS_SCRIPT = [
  `ulimit -d ${EVALUATION_LIMITS.dataBytes / 1024} || { echo "cubicle: cannot set RLIMIT_DATA" >&2; exit ${LIMITS_NOT_SET_EXIT}; }`,
  `ulimit -u ${EVALUATION_LIMITS.processes} 2>/dev/null || ulimit -p ${EVALUATION_LIMITS.processes} 2>/dev/null || { echo "cubicle: cannot set RLIMIT_NPROC" >&2; exit ${LIMITS_NOT_SET_EXIT}; }`,
  'exec "$@"'
].join("\n");
function findRunnerTypescript() {
  try {
    const require2 = createRequire2(path12.join(PACKAGE_ROOT, "package.json"));
    const manifest = require2.resolve("typescript/package.json");
    return { dir: fs17.realpathSync(path12.dirname(manifest)), main: fs17.realpathSync(require2.resolve("typescript")) };
  } catch {
    return null;
  }
}
function isVisible(file, system, projectDir) {
  const dirs = [projectDir, ...system.flatMap((op) => op.kind === "ro-bind" ? [op.dest] : [])];
  return dirs.some((dir) => file === dir || file.startsWith(dir.endsWith("/") ? dir : `${dir}/`));
}

// src/config/code/index.ts
async function evaluateCodeConfig(file) {
  const source = path13.resolve(file);
  const id = randomBytes2(12).toString("hex");
  const markers = { start: `cubicle-config-start-${id}`, end: `cubicle-config-end-${id}` };
  const cgroups = await evaluationCgroups(id);
  const spec = evaluationSpec({ file: source, projectDir: path13.dirname(source), markers, cgroupDirs: cgroups.dirs, hostEnv: process.env });
  const payload = new PayloadReader(markers);
  const stderr = new LineTail();
  const { status } = await runSandbox(spec, { onLine: (stream, line) => stream === "stdout" ? payload.push(line) : stderr.push(line) });
  refuseHostFailure(source, status, stderr.text());
  const problem = (reason) => new ConfigError([`${source} ${reason} (evaluated in a sandbox)`], { source, hint: CODE_CONFIG_HINT });
  const output = stderr.text();
  if (status.timedOut) throw problem(`did not finish within ${EVALUATION_LIMITS.timeoutMs / 1e3} s (a config must not wait for anything)`);
  if (status.oomKilled || /heap out of memory|allocation failed|bad_alloc|Cannot allocate memory/i.test(output)) {
    throw problem(`ran out of memory (${describeMemoryLimits(cgroups)})${quoted(output)}`);
  }
  if (status.signal) throw problem(`was killed by ${status.signal}${quoted(output)}`);
  if (status.exitCode !== 0) throw problem(`failed (exit ${status.exitCode})${quoted(output)}`);
  const printed = payload.payload();
  if (printed.kind === "too-big") throw problem(`evaluates to more than ${formatBytes(printed.limitBytes)} of JSON`);
  if (printed.kind === "missing") throw problem(`ended without producing a config (did it call process.exit?)${quoted(output)}`);
  let envelope;
  try {
    envelope = JSON.parse(printed.text);
  } catch (error2) {
    throw problem(`produced output that is not JSON (${error2.message})`);
  }
  if (!isEnvelope(envelope)) throw problem("produced output that is not a config");
  if (envelope[TYPESCRIPT_UNAVAILABLE] === true) {
    throw new ConfigError(
      [`${source} is TypeScript: Node ${process.versions.node} cannot strip its types (22.18 and later can), and the typescript package is not installed`],
      {
        source,
        hint: "Run cubicle with Node 22.18 or later, or `npm install --save-dev typescript`, or write the config as cubicle.config.mjs or .yaml."
      }
    );
  }
  if (envelope.config === void 0) throw problem("has no default export (or it is undefined): `export default { jobs: { ... } }`");
  return envelope.config;
}
function isEnvelope(value) {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
var CODE_CONFIG_HINT = `A code config runs with no network, no environment variables but PATH, HOME and LANG, the checkout read-only, ${EVALUATION_LIMITS.timeoutMs / 1e3} s and ${EVALUATION_LIMITS.heapMiB} MiB of heap: compute the config from the checkout's files, or write it as cubicle.config.yaml.`;
function refuseHostFailure(source, status, output) {
  explainHostFailure(status);
  const setupFailed = status.error !== null && status.error.stage !== "exec" ? status.error.message : null;
  const limitsFailed = status.exitCode === LIMITS_NOT_SET_EXIT && /^cubicle: cannot set RLIMIT/m.test(output) ? output : null;
  const nodeFailed = status.exitCode === 127 && /error while loading shared libraries/.test(output) ? `${process.execPath} cannot start: ${output}` : null;
  const reason = setupFailed ?? limitsFailed ?? nodeFailed ?? (status.error ? `cannot start /bin/sh: ${status.error.message}` : null);
  if (reason === null) return;
  throw new SandboxUnavailableError("CONFIG_SANDBOX_FAILED", `cannot evaluate the code config ${source} in a sandbox: ${reason}; no job was run`, {
    hint: "A code config is only ever evaluated in a sandbox. Run `cubicle doctor` for what this host lacks, or write the config as cubicle.config.yaml (read without a sandbox)."
  });
}
async function evaluationCgroups(id) {
  const placement = await findCgroupPlacement({ uid: process.getuid?.() ?? 0, name: userName() });
  if (placement.kind === "unavailable") return { dirs: [], missing: placement.reason };
  return { dirs: jobCgroupDirs(placement, `cubicle-${processTag()}-${id.slice(0, 6)}-config`), missing: null };
}
function describeMemoryLimits(cgroups) {
  const limits = `${EVALUATION_LIMITS.heapMiB} MiB of V8 heap, ${formatBytes(EVALUATION_LIMITS.dataBytes)} of RLIMIT_DATA`;
  return cgroups.missing ? `${limits}; no cgroup limit: ${cgroups.missing}` : `${limits}, ${formatBytes(EVALUATION_LIMITS.cgroupMemoryBytes)} of cgroup memory`;
}
function quoted(output) {
  return output ? `:
${output.split("\n").map((line) => `      ${line}`).join("\n")}` : "";
}

// src/config/resolve.ts
import path16 from "node:path";

// src/config/presets.ts
import fs18 from "node:fs";
import path14 from "node:path";

// node_modules/zod/v4/core/util.js
var util_exports = {};
__export(util_exports, {
  BIGINT_FORMAT_RANGES: () => BIGINT_FORMAT_RANGES,
  CONSTANT_CATCH: () => CONSTANT_CATCH,
  Class: () => Class,
  NUMBER_FORMAT_RANGES: () => NUMBER_FORMAT_RANGES,
  aborted: () => aborted,
  allowsEval: () => allowsEval,
  assert: () => assert,
  assertEqual: () => assertEqual,
  assertIs: () => assertIs,
  assertNever: () => assertNever,
  assertNotEqual: () => assertNotEqual,
  assignProp: () => assignProp,
  attachSchema: () => attachSchema,
  base64ToUint8Array: () => base64ToUint8Array,
  base64urlToUint8Array: () => base64urlToUint8Array,
  cached: () => cached2,
  captureStackTrace: () => captureStackTrace,
  cleanEnum: () => cleanEnum,
  cleanRegex: () => cleanRegex,
  clone: () => clone,
  cloneDef: () => cloneDef,
  codePointLength: () => codePointLength,
  constantCatch: () => constantCatch,
  createTransparentProxy: () => createTransparentProxy,
  defineLazy: () => defineLazy,
  defineLazyInternal: () => defineLazyInternal,
  derived: () => derived,
  esc: () => esc,
  escapeRegex: () => escapeRegex,
  explicitlyAborted: () => explicitlyAborted,
  extend: () => extend,
  finalizeIssue: () => finalizeIssue,
  floatSafeRemainder: () => floatSafeRemainder,
  getElementAtPath: () => getElementAtPath,
  getEnumValues: () => getEnumValues,
  getLengthableOrigin: () => getLengthableOrigin,
  getParsedType: () => getParsedType,
  getSizableOrigin: () => getSizableOrigin,
  hexToUint8Array: () => hexToUint8Array,
  hide: () => hide,
  installLazyProp: () => installLazyProp,
  isObject: () => isObject,
  isPlainObject: () => isPlainObject,
  issue: () => issue,
  joinValues: () => joinValues,
  jsonStringifyReplacer: () => jsonStringifyReplacer,
  members: () => members,
  merge: () => merge,
  mergeDefs: () => mergeDefs,
  normalizeParams: () => normalizeParams,
  nullish: () => nullish,
  numKeys: () => numKeys,
  objectClone: () => objectClone,
  omit: () => omit,
  optionalKeys: () => optionalKeys,
  own: () => own,
  parsedType: () => parsedType,
  partial: () => partial,
  pick: () => pick,
  prefixIssues: () => prefixIssues,
  primitiveTypes: () => primitiveTypes,
  promiseAllObject: () => promiseAllObject,
  propertyKeyTypes: () => propertyKeyTypes,
  randomString: () => randomString,
  rawShape: () => rawShape,
  required: () => required,
  safeExtend: () => safeExtend,
  shallowClone: () => shallowClone,
  sizeCaps: () => sizeCaps,
  slugify: () => slugify,
  stringifyPrimitive: () => stringifyPrimitive,
  toZod: () => toZod,
  uint8ArrayToBase64: () => uint8ArrayToBase64,
  uint8ArrayToBase64url: () => uint8ArrayToBase64url,
  uint8ArrayToHex: () => uint8ArrayToHex,
  unwrapMessage: () => unwrapMessage
});
function assertEqual(val) {
  return val;
}
function assertNotEqual(val) {
  return val;
}
function toZod() {
  return (schema) => schema;
}
function assertIs(_arg) {
}
function assertNever(_x) {
  throw new Error("Unexpected value in exhaustive check");
}
function assert(_) {
}
function getEnumValues(entries) {
  const numericValues = Object.values(entries).filter((v) => typeof v === "number");
  const values = Object.entries(entries).filter(([k, _]) => numericValues.indexOf(+k) === -1).map(([_, v]) => v);
  return values;
}
function joinValues(array2, separator = "|") {
  return array2.map((val) => stringifyPrimitive(val)).join(separator);
}
function jsonStringifyReplacer(_, value) {
  if (typeof value === "bigint")
    return value.toString();
  return value;
}
var Cached = class {
  constructor(getter) {
    this._getter = getter;
    this._value = void 0;
  }
  get value() {
    const getter = this._getter;
    if (getter !== void 0) {
      this._value = getter();
      this._getter = void 0;
    }
    return this._value;
  }
};
function cached2(getter) {
  return new Cached(getter);
}
function nullish(input) {
  return input === null || input === void 0;
}
function cleanRegex(source) {
  const start = source.startsWith("^") ? 1 : 0;
  const end = source.endsWith("$") ? source.length - 1 : source.length;
  return source.slice(start, end);
}
function floatSafeRemainder(val, step) {
  const ratio = val / step;
  const roundedRatio = Math.round(ratio);
  const tolerance = 4 * Number.EPSILON * Math.max(Math.abs(ratio), 1);
  if (Math.abs(ratio - roundedRatio) < tolerance)
    return 0;
  return ratio - roundedRatio;
}
var EVALUATING = /* @__PURE__ */ Symbol("evaluating");
function defineLazy(object, key, getter) {
  let value = void 0;
  Object.defineProperty(object, key, {
    get() {
      if (value === EVALUATING) {
        return void 0;
      }
      if (value === void 0) {
        value = EVALUATING;
        value = getter();
      }
      return value;
    },
    set(v) {
      Object.defineProperty(object, key, {
        value: v
        // configurable: true,
      });
    },
    configurable: true
  });
}
function objectClone(obj) {
  return Object.create(Object.getPrototypeOf(obj), Object.getOwnPropertyDescriptors(obj));
}
function assignProp(target, prop, value) {
  Object.defineProperty(target, prop, {
    value,
    writable: true,
    enumerable: true,
    configurable: true
  });
}
function rawShape(def) {
  const desc = Object.getOwnPropertyDescriptor(def, "shape");
  return desc?.get ? desc.get.raw : desc?.value;
}
function sourceShape(schema) {
  return rawShape(schema._zod.def) ?? schema._zod.def.shape;
}
function deferProp(target, key, getter) {
  Object.defineProperty(target, key, {
    get() {
      const value = getter();
      assignProp(this, key, value);
      return value;
    },
    enumerable: true,
    configurable: true
  });
}
function putProp(target, key, value) {
  if (key in target)
    assignProp(target, key, value);
  else
    target[key] = value;
}
function mirrorShape(target, source, keys, wrap) {
  const raw = sourceShape(source);
  for (const key of keys) {
    const desc = Object.getOwnPropertyDescriptor(raw, key);
    if (!desc.enumerable)
      continue;
    if (desc.get) {
      deferProp(target, key, () => {
        const value = source._zod.def.shape[key];
        return wrap ? wrap(value, key) : value;
      });
    } else
      putProp(target, key, wrap ? wrap(desc.value, key) : desc.value);
  }
}
function mirrorProps(target, source) {
  for (const key of Reflect.ownKeys(source)) {
    const desc = Object.getOwnPropertyDescriptor(source, key);
    if (!desc.enumerable)
      continue;
    if (desc.get)
      deferProp(target, key, () => source[key]);
    else
      putProp(target, key, desc.value);
  }
}
function mergeDefs(...defs) {
  const mergedDescriptors = {};
  for (const def of defs) {
    const descriptors = Object.getOwnPropertyDescriptors(def);
    Object.assign(mergedDescriptors, descriptors);
  }
  return Object.defineProperties({}, mergedDescriptors);
}
function cloneDef(schema) {
  return mergeDefs(schema._zod.def);
}
function getElementAtPath(obj, path22) {
  if (!path22)
    return obj;
  return path22.reduce((acc, key) => acc?.[key], obj);
}
function promiseAllObject(promisesObj) {
  const keys = Object.keys(promisesObj);
  const promises = keys.map((key) => promisesObj[key]);
  return Promise.all(promises).then((results) => {
    const resolvedObj = {};
    for (let i = 0; i < keys.length; i++) {
      resolvedObj[keys[i]] = results[i];
    }
    return resolvedObj;
  });
}
function randomString(length = 10) {
  const chars = "abcdefghijklmnopqrstuvwxyz";
  let str = "";
  for (let i = 0; i < length; i++) {
    str += chars[Math.floor(Math.random() * chars.length)];
  }
  return str;
}
function esc(str) {
  return JSON.stringify(str);
}
function slugify(input) {
  return input.toLowerCase().trim().replace(/[^\w\s-]/g, "").replace(/[\s_-]+/g, "-").replace(/^-+|-+$/g, "");
}
var captureStackTrace = "captureStackTrace" in Error ? Error.captureStackTrace : (..._args) => {
};
function isObject(data) {
  return typeof data === "object" && data !== null && !Array.isArray(data);
}
var allowsEval = /* @__PURE__ */ cached2(() => {
  if (globalConfig.jitless) {
    return false;
  }
  if (typeof navigator !== "undefined" && navigator?.userAgent?.includes("Cloudflare")) {
    return false;
  }
  try {
    const F = Function;
    new F("");
    return true;
  } catch (_) {
    return false;
  }
});
function isPlainObject(o) {
  if (isObject(o) === false)
    return false;
  const ctor = o.constructor;
  if (ctor === void 0)
    return true;
  if (typeof ctor !== "function")
    return true;
  const prot = ctor.prototype;
  if (isObject(prot) === false)
    return false;
  if (Object.prototype.hasOwnProperty.call(prot, "isPrototypeOf") === false) {
    return false;
  }
  return true;
}
function shallowClone(o) {
  if (isPlainObject(o))
    return { ...o };
  if (Array.isArray(o))
    return [...o];
  if (o instanceof Map)
    return new Map(o);
  if (o instanceof Set)
    return new Set(o);
  return o;
}
function numKeys(data) {
  let keyCount = 0;
  for (const key in data) {
    if (Object.prototype.hasOwnProperty.call(data, key)) {
      keyCount++;
    }
  }
  return keyCount;
}
var getParsedType = (data) => {
  const t = typeof data;
  switch (t) {
    case "undefined":
      return "undefined";
    case "string":
      return "string";
    case "number":
      return Number.isNaN(data) ? "nan" : "number";
    case "boolean":
      return "boolean";
    case "function":
      return "function";
    case "bigint":
      return "bigint";
    case "symbol":
      return "symbol";
    case "object":
      if (Array.isArray(data)) {
        return "array";
      }
      if (data === null) {
        return "null";
      }
      if (data.then && typeof data.then === "function" && data.catch && typeof data.catch === "function") {
        return "promise";
      }
      if (typeof Map !== "undefined" && data instanceof Map) {
        return "map";
      }
      if (typeof Set !== "undefined" && data instanceof Set) {
        return "set";
      }
      if (typeof Date !== "undefined" && data instanceof Date) {
        return "date";
      }
      if (typeof File !== "undefined" && data instanceof File) {
        return "file";
      }
      return "object";
    default:
      throw new Error(`Unknown data type: ${t}`);
  }
};
var propertyKeyTypes = /* @__PURE__ */ new Set(["string", "number", "symbol"]);
var primitiveTypes = /* @__PURE__ */ new Set([
  "string",
  "number",
  "bigint",
  "boolean",
  "symbol",
  "undefined"
]);
function escapeRegex(str) {
  return str.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
function clone(inst, def, params) {
  const cl = new inst._zod.constr(def ?? inst._zod.def);
  if (!def || params?.parent)
    cl._zod.parent = inst;
  return cl;
}
function normalizeParams(_params) {
  const params = _params;
  if (!params)
    return {};
  if (typeof params === "string")
    return { error: () => params };
  if (params?.message !== void 0) {
    if (params?.error !== void 0)
      throw new Error("Cannot specify both `message` and `error` params");
    params.error = params.message;
  }
  delete params.message;
  if (typeof params.error === "string")
    return { ...params, error: () => params.error };
  return params;
}
function createTransparentProxy(getter) {
  let target;
  return new Proxy({}, {
    get(_, prop, receiver) {
      target ?? (target = getter());
      return Reflect.get(target, prop, receiver);
    },
    set(_, prop, value, receiver) {
      target ?? (target = getter());
      return Reflect.set(target, prop, value, receiver);
    },
    has(_, prop) {
      target ?? (target = getter());
      return Reflect.has(target, prop);
    },
    deleteProperty(_, prop) {
      target ?? (target = getter());
      return Reflect.deleteProperty(target, prop);
    },
    ownKeys(_) {
      target ?? (target = getter());
      return Reflect.ownKeys(target);
    },
    getOwnPropertyDescriptor(_, prop) {
      target ?? (target = getter());
      return Reflect.getOwnPropertyDescriptor(target, prop);
    },
    defineProperty(_, prop, descriptor) {
      target ?? (target = getter());
      return Reflect.defineProperty(target, prop, descriptor);
    }
  });
}
function stringifyPrimitive(value) {
  if (typeof value === "bigint")
    return value.toString() + "n";
  if (typeof value === "string")
    return `"${value}"`;
  return `${value}`;
}
function optionalKeys(shape) {
  return Object.keys(shape).filter((k) => {
    return shape[k]._zod.optin !== void 0 && shape[k]._zod.optout === "optional";
  });
}
var NUMBER_FORMAT_RANGES = /* @__PURE__ */ (() => ({
  safeint: [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
  int32: [-2147483648, 2147483647],
  uint32: [0, 4294967295],
  float32: [-34028234663852886e22, 34028234663852886e22],
  float64: [-Number.MAX_VALUE, Number.MAX_VALUE]
}))();
var BIGINT_FORMAT_RANGES = {
  int64: [/* @__PURE__ */ BigInt("-9223372036854775808"), /* @__PURE__ */ BigInt("9223372036854775807")],
  uint64: [/* @__PURE__ */ BigInt(0), /* @__PURE__ */ BigInt("18446744073709551615")]
};
function pick(schema, mask) {
  const currDef = schema._zod.def;
  const checks = currDef.checks;
  const hasChecks = checks && checks.length > 0;
  if (hasChecks) {
    throw new Error(".pick() cannot be used on object schemas containing refinements");
  }
  const newShape = {};
  mirrorShape(newShape, schema, maskedKeys(schema, mask));
  return clone(schema, mergeDefs(currDef, { shape: newShape, checks: [] }));
}
function maskedKeys(schema, mask) {
  const raw = sourceShape(schema);
  const keys = [];
  for (const key of Reflect.ownKeys(mask)) {
    if (!Object.getOwnPropertyDescriptor(raw, key)?.enumerable) {
      throw new Error(`Unrecognized key: "${String(key)}"`);
    }
    if (mask[key])
      keys.push(key);
  }
  return keys;
}
function omit(schema, mask) {
  const currDef = schema._zod.def;
  const checks = currDef.checks;
  const hasChecks = checks && checks.length > 0;
  if (hasChecks) {
    throw new Error(".omit() cannot be used on object schemas containing refinements");
  }
  const omitted = new Set(maskedKeys(schema, mask));
  const newShape = {};
  mirrorShape(newShape, schema, Reflect.ownKeys(sourceShape(schema)).filter((key) => !omitted.has(key)));
  return clone(schema, mergeDefs(currDef, { shape: newShape, checks: [] }));
}
function extend(schema, shape) {
  if (!isPlainObject(shape)) {
    throw new Error("Invalid input to extend: expected a plain object");
  }
  const checks = schema._zod.def.checks;
  const hasChecks = checks && checks.length > 0;
  if (hasChecks) {
    const existingShape = sourceShape(schema);
    for (const key of Reflect.ownKeys(shape)) {
      if (Object.getOwnPropertyDescriptor(existingShape, key) !== void 0) {
        throw new Error("Cannot overwrite keys on object schemas containing refinements. Use `.safeExtend()` instead.");
      }
    }
  }
  return clone(schema, mergeDefs(schema._zod.def, { shape: extended(schema, shape) }));
}
function extended(schema, shape) {
  const newShape = {};
  mirrorShape(newShape, schema, Reflect.ownKeys(sourceShape(schema)));
  mirrorProps(newShape, shape);
  return newShape;
}
function safeExtend(schema, shape) {
  if (!isPlainObject(shape)) {
    throw new Error("Invalid input to safeExtend: expected a plain object");
  }
  return clone(schema, mergeDefs(schema._zod.def, { shape: extended(schema, shape) }));
}
function merge(a, b) {
  if (!b?._zod?.def) {
    throw new Error("Invalid input to merge: expected an object schema. To merge a plain shape, use `.extend()`.");
  }
  if (a._zod.def.checks?.length) {
    throw new Error(".merge() cannot be used on object schemas containing refinements. Use .safeExtend() instead.");
  }
  const newShape = {};
  mirrorShape(newShape, a, Reflect.ownKeys(sourceShape(a)));
  mirrorShape(newShape, b, Reflect.ownKeys(sourceShape(b)));
  const def = mergeDefs(a._zod.def, {
    shape: newShape,
    get catchall() {
      return b._zod.def.catchall;
    },
    checks: b._zod.def.checks ?? []
  });
  return clone(a, def);
}
function partial(Class2, schema, mask, name = "partial") {
  const currDef = schema._zod.def;
  const checks = currDef.checks;
  const hasChecks = checks && checks.length > 0;
  if (hasChecks) {
    throw new Error(`.${name}() cannot be used on object schemas containing refinements`);
  }
  const selected = mask ? new Set(maskedKeys(schema, mask)) : void 0;
  const newShape = {};
  mirrorShape(newShape, schema, Reflect.ownKeys(sourceShape(schema)), Class2 && ((value, key) => selected && !selected.has(key) ? value : new Class2({ type: "optional", innerType: value })));
  return clone(schema, mergeDefs(schema._zod.def, { shape: newShape, checks: [] }));
}
function required(Class2, schema, mask) {
  const selected = mask ? new Set(maskedKeys(schema, mask)) : void 0;
  const newShape = {};
  mirrorShape(newShape, schema, Reflect.ownKeys(sourceShape(schema)), (value, key) => (
    // overwrite with non-optional
    selected && !selected.has(key) ? value : new Class2({ type: "nonoptional", innerType: value })
  ));
  return clone(schema, mergeDefs(schema._zod.def, { shape: newShape }));
}
function aborted(x, startIndex = 0) {
  if (x.aborted === true)
    return true;
  for (let i = startIndex; i < x.issues.length; i++) {
    if (x.issues[i]?.continue !== true) {
      return true;
    }
  }
  return false;
}
function explicitlyAborted(x, startIndex = 0) {
  if (x.aborted === true)
    return true;
  for (let i = startIndex; i < x.issues.length; i++) {
    if (x.issues[i]?.continue === false) {
      return true;
    }
  }
  return false;
}
function prefixIssues(path22, issues) {
  return issues.map((iss) => {
    var _a3;
    (_a3 = iss).path ?? (_a3.path = []);
    iss.path.unshift(path22);
    return iss;
  });
}
function unwrapMessage(message) {
  return typeof message === "string" ? message : message?.message;
}
function sizeCaps(defChecks) {
  const caps = [];
  for (const ch of defChecks ?? []) {
    const d = ch._zod.def;
    if (!/_(length|size)$|_equals$/.test(d.check))
      break;
    const max = d.maximum ?? d.length ?? d.size;
    if (max >= 0)
      caps.push([max, ch]);
  }
  return caps;
}
function attachSchema(issues, start, inst) {
  var _a3;
  for (let i = start; i < issues.length; i++) {
    (_a3 = issues[i]).schema ?? (_a3.schema = inst);
  }
}
function finalizeIssue(iss, ctx, config2) {
  var _a3;
  const traits = iss.inst?._zod?.traits;
  if (traits?.has("$ZodType")) {
    if (traits.has("$ZodCheck"))
      (_a3 = iss).schema ?? (_a3.schema = iss.inst);
    else
      iss.schema = iss.inst;
  }
  const schemaError = iss.schema !== iss.inst ? iss.schema?._zod.def?.error : void 0;
  const message = iss.message ? iss.message : unwrapMessage(iss.inst?._zod.def?.error?.(iss)) ?? unwrapMessage(schemaError?.(iss)) ?? unwrapMessage(ctx?.error?.(iss)) ?? unwrapMessage(config2.customError?.(iss)) ?? unwrapMessage(config2.localeError?.(iss)) ?? "Invalid input";
  const full = {};
  for (const k of Object.keys(iss)) {
    if (k === "inst" || k === "schema" || k === "continue" || k === "input" || k === "__proto__")
      continue;
    full[k] = iss[k];
  }
  full.path ?? (full.path = []);
  full.message = message;
  if (ctx?.reportInput) {
    full.input = iss.input;
  }
  return full;
}
function getSizableOrigin(input) {
  if (input instanceof Set)
    return "set";
  if (input instanceof Map)
    return "map";
  if (input instanceof File)
    return "file";
  return "unknown";
}
var highSurrogate = /[\uD800-\uDBFF]/;
function codePointLength(str) {
  const units = str.length;
  if (!highSurrogate.test(str))
    return units;
  let count = units;
  for (let i = 0; i < units - 1; i++) {
    if ((str.charCodeAt(i) & 64512) === 55296 && (str.charCodeAt(i + 1) & 64512) === 56320) {
      count--;
      i++;
    }
  }
  return count;
}
function getLengthableOrigin(input) {
  if (Array.isArray(input))
    return "array";
  if (typeof input === "string")
    return "string";
  return "unknown";
}
function parsedType(data) {
  const t = typeof data;
  switch (t) {
    case "number": {
      return Number.isNaN(data) ? "nan" : "number";
    }
    case "object": {
      if (data === null) {
        return "null";
      }
      if (Array.isArray(data)) {
        return "array";
      }
      const obj = data;
      if (obj && Object.getPrototypeOf(obj) !== Object.prototype && "constructor" in obj && obj.constructor) {
        return obj.constructor.name;
      }
    }
  }
  return t;
}
function issue(...args) {
  const [iss, input, inst] = args;
  if (typeof iss === "string") {
    return {
      message: iss,
      code: "custom",
      input,
      inst
    };
  }
  return { ...iss };
}
function cleanEnum(obj) {
  return Object.entries(obj).filter(([k, _]) => {
    return Number.isNaN(Number.parseInt(k, 10));
  }).map((el) => el[1]);
}
function base64ToUint8Array(base642) {
  const binaryString = atob(base642);
  const bytes = new Uint8Array(binaryString.length);
  for (let i = 0; i < binaryString.length; i++) {
    bytes[i] = binaryString.charCodeAt(i);
  }
  return bytes;
}
function uint8ArrayToBase64(bytes) {
  let binaryString = "";
  for (let i = 0; i < bytes.length; i++) {
    binaryString += String.fromCharCode(bytes[i]);
  }
  return btoa(binaryString);
}
function base64urlToUint8Array(base64url2) {
  const base642 = base64url2.replace(/-/g, "+").replace(/_/g, "/");
  const padding = "=".repeat((4 - base642.length % 4) % 4);
  return base64ToUint8Array(base642 + padding);
}
function uint8ArrayToBase64url(bytes) {
  return uint8ArrayToBase64(bytes).replace(/\+/g, "-").replace(/\//g, "_").replace(/=/g, "");
}
function hexToUint8Array(hex) {
  const cleanHex = hex.replace(/^0x/, "");
  if (cleanHex.length % 2 !== 0) {
    throw new Error("Invalid hex string length");
  }
  const bytes = new Uint8Array(cleanHex.length / 2);
  for (let i = 0; i < cleanHex.length; i += 2) {
    bytes[i / 2] = Number.parseInt(cleanHex.slice(i, i + 2), 16);
  }
  return bytes;
}
function uint8ArrayToHex(bytes) {
  return Array.from(bytes).map((b) => b.toString(16).padStart(2, "0")).join("");
}
var Class = class {
  constructor(..._args) {
  }
};
function members(proto, table) {
  for (const key in table) {
    const desc = Object.getOwnPropertyDescriptor(table, key);
    if (desc.get)
      Object.defineProperty(proto, key, { ...desc, enumerable: false });
    else
      defineBound(proto, key, desc.value);
  }
}
function own(inst, key, value, enumerable = true) {
  Object.defineProperty(inst, key, { configurable: true, writable: true, enumerable, value });
  return value;
}
function hide(inst, key, value) {
  return own(inst, key, value, false);
}
// @__NO_SIDE_EFFECTS__
function derived(computes, table) {
  for (const key in computes) {
    const compute = computes[key];
    Object.defineProperty(table, key, {
      configurable: true,
      enumerable: true,
      get() {
        return own(this, key, compute(this));
      },
      set(value) {
        own(this, key, value);
      }
    });
  }
  return table;
}
function defineBound(proto, key, fn) {
  Object.defineProperty(proto, key, {
    configurable: true,
    get() {
      return this == null ? fn : own(this, key, fn.bind(this));
    },
    set(value) {
      own(this, key, value);
    }
  });
}
function claim(inst, sentinel) {
  const proto = Object.getPrototypeOf(inst);
  return sentinel in proto ? void 0 : proto;
}
var installing;
var broke = false;
var breaker = {
  configurable: true,
  get() {
    broke = true;
    return void 0;
  }
};
function defineLazyInternal(inst, key, compute) {
  const proto = Object.getPrototypeOf(inst._zod);
  if (key in proto && installing !== inst._zod) {
    installing = void 0;
    return;
  }
  installing = inst._zod;
  Object.defineProperty(proto, key, {
    configurable: true,
    get() {
      Object.defineProperty(this, key, breaker);
      const outer = broke;
      broke = false;
      try {
        const value = compute(this);
        if (broke)
          delete this[key];
        else
          Object.defineProperty(this, key, { configurable: true, writable: true, value });
        broke = broke || outer;
        return value;
      } catch (err) {
        delete this[key];
        broke = broke || outer;
        throw err;
      }
    },
    set(value) {
      Object.defineProperty(this, key, { configurable: true, writable: true, value });
    }
  });
}
function installLazyProp(inst, key, make, enumerable) {
  const proto = claim(inst, key);
  if (!proto)
    return;
  Object.defineProperty(proto, key, {
    configurable: true,
    get() {
      const desc = { configurable: true, writable: true, enumerable, value: void 0 };
      Object.defineProperty(this, key, desc);
      desc.value = make(this);
      Object.defineProperty(this, key, desc);
      return desc.value;
    },
    set(value) {
      Object.defineProperty(this, key, { configurable: true, writable: true, enumerable, value });
    }
  });
}
var CONSTANT_CATCH = "~constantCatch";
function constantCatch(value) {
  const fn = () => value;
  fn[CONSTANT_CATCH] = true;
  return fn;
}

// node_modules/zod/v4/core/core.js
var _a;
var _zodDesc = { value: void 0, enumerable: false };
var _E = "captureStackTrace" in Error ? Error : null;
function newError(Definition) {
  const E = _E;
  if (E) {
    const saved = E.stackTraceLimit;
    if (typeof saved === "number") {
      try {
        E.stackTraceLimit = 0;
      } catch {
        _E = null;
        return new Definition();
      }
      try {
        return new Definition();
      } finally {
        E.stackTraceLimit = saved;
      }
    }
  }
  return new Definition();
}
// @__NO_SIDE_EFFECTS__
function $constructor(name, initializer3, proto, params) {
  const zodProto = {};
  function Internals(def) {
    this.def = def;
    this.constr = _;
    this.traits = /* @__PURE__ */ new Set();
  }
  Internals.prototype = zodProto;
  const protoMembers = proto;
  const initialized = protoMembers && /* @__PURE__ */ new WeakSet();
  function init(inst, def) {
    if (!inst._zod) {
      _zodDesc.value = new Internals(def);
      try {
        Object.defineProperty(inst, "_zod", _zodDesc);
      } finally {
        _zodDesc.value = void 0;
      }
    } else if (inst._zod.traits.has(name)) {
      return;
    }
    inst._zod.traits.add(name);
    initializer3(inst, def);
    if (initialized) {
      const own2 = Object.getPrototypeOf(inst);
      const ctorProto = inst._zod.constr.prototype;
      let up = own2;
      while (up && up !== ctorProto)
        up = Object.getPrototypeOf(up);
      const target = up ?? own2;
      if (!initialized.has(target)) {
        initialized.add(target);
        members(target, protoMembers);
      }
    }
    const proto2 = _.prototype;
    for (const k in proto2) {
      if (!Object.prototype.hasOwnProperty.call(proto2, k))
        continue;
      if (!(k in inst)) {
        inst[k] = proto2[k].bind(inst);
      }
    }
  }
  const Parent = params?.Parent ?? Object;
  class Definition extends Parent {
  }
  Object.defineProperty(Definition, "name", { value: name });
  function _(def) {
    const inst = params?.Parent ? newError(Definition) : this;
    init(inst, def);
    const deferred = inst._zod.deferred;
    if (deferred) {
      for (const fn of deferred) {
        fn();
      }
      inst._zod.deferred = void 0;
    }
    const pp = globalThis.__zod_globalConfig?.postProcessor;
    if (pp)
      pp(inst);
    return inst;
  }
  Object.defineProperty(_, "init", { value: init });
  Object.defineProperty(_, Symbol.hasInstance, {
    value: (inst) => {
      if (params?.Parent && inst instanceof params.Parent)
        return true;
      return inst?._zod?.traits?.has(name);
    }
  });
  Object.defineProperty(_, "name", { value: name });
  return _;
}
var $ZodAsyncError = class extends Error {
  constructor() {
    super(`Encountered Promise during synchronous parse. Use .parseAsync() instead.`);
  }
};
var $ZodEncodeError = class extends Error {
  constructor(name) {
    super(`Encountered unidirectional transform during encode: ${name}`);
    this.name = "ZodEncodeError";
  }
};
(_a = globalThis).__zod_globalConfig ?? (_a.__zod_globalConfig = {});
var globalConfig = globalThis.__zod_globalConfig;
function config(newConfig) {
  if (newConfig)
    Object.assign(globalConfig, newConfig);
  return globalConfig;
}

// node_modules/zod/v4/core/errors.js
function _getMessage() {
  const internals = this._zod;
  internals.message ?? (internals.message = JSON.stringify(internals.def, jsonStringifyReplacer, 2));
  return internals.message;
}
function _setMessage(value) {
  this._zod.message = value;
}
var _messageDesc = {
  get: _getMessage,
  set: _setMessage,
  enumerable: true,
  configurable: true
};
var _issuesDesc = { value: void 0, enumerable: false };
var _installedToString = /* @__PURE__ */ new WeakSet([Object.prototype, Error.prototype]);
var initializer = (inst, def) => {
  inst.name = "$ZodError";
  _issuesDesc.value = def;
  Object.defineProperty(inst, "issues", _issuesDesc);
  _issuesDesc.value = void 0;
  Object.defineProperty(inst, "message", _messageDesc);
  const proto = Object.getPrototypeOf(inst);
  if (!_installedToString.has(proto)) {
    _installedToString.add(proto);
    Object.defineProperty(proto, "toString", {
      configurable: true,
      enumerable: false,
      get() {
        const value = () => this.message;
        Object.defineProperty(this, "toString", { value, configurable: true, writable: true });
        return value;
      },
      set(value) {
        Object.defineProperty(this, "toString", { value, configurable: true, writable: true });
      }
    });
  }
};
var $ZodError = $constructor("$ZodError", initializer);
var $ZodRealError = $constructor("$ZodError", initializer, void 0, {
  Parent: Error
});
function node(obj, key, make) {
  if (!Object.prototype.hasOwnProperty.call(obj, key)) {
    if (key === "__proto__") {
      Object.defineProperty(obj, key, { value: make(), writable: true, enumerable: true, configurable: true });
    } else {
      obj[key] = make();
    }
  }
  return obj[key];
}
function flattenError(error2, mapper = (issue2) => issue2.message) {
  const fieldErrors = {};
  const formErrors = [];
  for (const sub of error2.issues) {
    if (sub.path.length > 0) {
      node(fieldErrors, sub.path[0], () => []).push(mapper(sub));
    } else {
      formErrors.push(mapper(sub));
    }
  }
  return { formErrors, fieldErrors };
}
function formatError(error2, mapper = (issue2) => issue2.message) {
  const fieldErrors = { _errors: [] };
  const processError = (error3, path22 = []) => {
    for (const issue2 of error3.issues) {
      if (issue2.code === "invalid_union" && issue2.errors.length) {
        issue2.errors.map((issues) => processError({ issues }, [...path22, ...issue2.path]));
      } else if (issue2.code === "invalid_key") {
        processError({ issues: issue2.issues }, [...path22, ...issue2.path]);
      } else if (issue2.code === "invalid_element") {
        processError({ issues: issue2.issues }, [...path22, ...issue2.path]);
      } else {
        const fullpath = [...path22, ...issue2.path];
        if (fullpath.length === 0) {
          fieldErrors._errors.push(mapper(issue2));
        } else {
          let curr = fieldErrors;
          let i = 0;
          while (i < fullpath.length) {
            const el = fullpath[i];
            const terminal = i === fullpath.length - 1;
            if (el === "_errors") {
              if (terminal)
                curr._errors.push(mapper(issue2));
              i++;
              continue;
            }
            if (!Object.prototype.hasOwnProperty.call(curr, el)) {
              Object.defineProperty(curr, el, {
                value: { _errors: [] },
                enumerable: true,
                writable: true,
                configurable: true
              });
            }
            const node2 = curr[el];
            if (terminal) {
              node2._errors.push(mapper(issue2));
            }
            curr = node2;
            i++;
          }
        }
      }
    }
  };
  processError(error2);
  return fieldErrors;
}

// node_modules/zod/v4/core/parse.js
function finalizeParams(callee, params) {
  return { callee: params?.callee ?? callee, Err: params?.Err };
}
var _parse = (_Err) => {
  const fn = (schema, value, _ctx, _params) => {
    const ctx = _ctx ? { ..._ctx, async: false } : { async: false };
    const result = schema._zod.run({ value, issues: [] }, ctx);
    if (result instanceof Promise) {
      throw new $ZodAsyncError();
    }
    if (result.issues.length) {
      const e = new (_params?.Err ?? _Err)(result.issues.map((iss) => finalizeIssue(iss, ctx, config())));
      captureStackTrace(e, _params?.callee ?? fn);
      throw e;
    }
    return result.value;
  };
  return fn;
};
var _parseAsync = (_Err) => {
  const fn = async (schema, value, _ctx, params) => {
    const ctx = _ctx ? { ..._ctx, async: true } : { async: true };
    let result = schema._zod.run({ value, issues: [] }, ctx);
    if (result instanceof Promise)
      result = await result;
    if (result.issues.length) {
      const e = new (params?.Err ?? _Err)(result.issues.map((iss) => finalizeIssue(iss, ctx, config())));
      captureStackTrace(e, params?.callee ?? fn);
      throw e;
    }
    return result.value;
  };
  return fn;
};
var _safeParse = (_Err) => (schema, value, _ctx) => {
  const ctx = _ctx ? { ..._ctx, async: false } : { async: false };
  const result = schema._zod.run({ value, issues: [] }, ctx);
  if (result instanceof Promise) {
    throw new $ZodAsyncError();
  }
  return result.issues.length ? failure(_Err, result.issues, ctx) : { success: true, data: result.value };
};
function failure(Err, issues, ctx) {
  let error2;
  return {
    success: false,
    get error() {
      if (!error2) {
        error2 = new Err(issues.map((iss) => finalizeIssue(iss, ctx, config())));
        issues = void 0;
        ctx = void 0;
      }
      return error2;
    },
    set error(e) {
      error2 = e;
      issues = void 0;
      ctx = void 0;
    }
  };
}
var _safeParseAsync = (_Err) => async (schema, value, _ctx) => {
  const ctx = _ctx ? { ..._ctx, async: true } : { async: true };
  let result = schema._zod.run({ value, issues: [] }, ctx);
  if (result instanceof Promise)
    result = await result;
  return result.issues.length ? failure(_Err, result.issues, ctx) : { success: true, data: result.value };
};
var COMPILE_INVALID = /* @__PURE__ */ Symbol.for("zod.compile.invalid");
var COMPILE_FALLBACK = /* @__PURE__ */ Symbol.for("zod.compile.fallback");
var validate = ((schema, value, _ctx) => {
  const validator = schema._zod.bag.validator;
  if (validator !== void 0) {
    if (validator(value) !== COMPILE_INVALID)
      return true;
    if (validator.definite === true && _ctx === void 0)
      return false;
  }
  return validateFallback(schema, value, _ctx);
});
function validateFallback(schema, value, _ctx) {
  const ctx = _ctx ? { ..._ctx, async: false, abortEarly: true } : { async: false, abortEarly: true };
  const fallbackRun = schema._zod.bag.fallbackRun;
  let result;
  if (fallbackRun) {
    ctx[COMPILE_FALLBACK] = true;
    result = fallbackRun({ value, issues: [] }, ctx);
  } else {
    result = schema._zod.run({ value, issues: [] }, ctx);
  }
  if (result instanceof Promise) {
    throw new $ZodAsyncError();
  }
  return result.issues.length === 0;
}
var validateAsync = async (schema, value, _ctx) => {
  const ctx = _ctx ? { ..._ctx, async: true, abortEarly: true } : { async: true, abortEarly: true };
  let result = schema._zod.run({ value, issues: [] }, ctx);
  if (result instanceof Promise)
    result = await result;
  return result.issues.length === 0;
};
var _encode = (_Err) => {
  const parse2 = _parse(_Err);
  const fn = (schema, value, _ctx, _params) => {
    const ctx = _ctx ? { ..._ctx, direction: "backward" } : { direction: "backward" };
    return parse2(schema, value, ctx, finalizeParams(fn, _params));
  };
  return fn;
};
var _decode = (_Err) => {
  const parse2 = _parse(_Err);
  const fn = (schema, value, _ctx, _params) => {
    return parse2(schema, value, _ctx, finalizeParams(fn, _params));
  };
  return fn;
};
var _encodeAsync = (_Err) => {
  const parseAsync2 = _parseAsync(_Err);
  const fn = async (schema, value, _ctx, _params) => {
    const ctx = _ctx ? { ..._ctx, direction: "backward" } : { direction: "backward" };
    return await parseAsync2(schema, value, ctx, finalizeParams(fn, _params));
  };
  return fn;
};
var _decodeAsync = (_Err) => {
  const parseAsync2 = _parseAsync(_Err);
  const fn = async (schema, value, _ctx, _params) => {
    return await parseAsync2(schema, value, _ctx, finalizeParams(fn, _params));
  };
  return fn;
};
var _safeEncode = (_Err) => (schema, value, _ctx) => {
  const ctx = _ctx ? { ..._ctx, direction: "backward" } : { direction: "backward" };
  return _safeParse(_Err)(schema, value, ctx);
};
var _safeDecode = (_Err) => (schema, value, _ctx) => {
  return _safeParse(_Err)(schema, value, _ctx);
};
var _safeEncodeAsync = (_Err) => async (schema, value, _ctx) => {
  const ctx = _ctx ? { ..._ctx, direction: "backward" } : { direction: "backward" };
  return _safeParseAsync(_Err)(schema, value, ctx);
};
var _safeDecodeAsync = (_Err) => async (schema, value, _ctx) => {
  return _safeParseAsync(_Err)(schema, value, _ctx);
};

// node_modules/zod/v4/core/regexes.js
var cuid = /^[cC][0-9a-z]{6,}$/;
var cuid2 = /^[0-9a-z]+$/;
var ulid = /^[0-7][0-9A-HJKMNP-TV-Za-hjkmnp-tv-z]{25}$/;
var xid = /^[0-9a-vA-V]{20}$/;
var ksuid = /^[A-Za-z0-9]{27}$/;
var nanoid = /^[a-zA-Z0-9_-]{21}$/;
function nanoidOfLength(length) {
  return new RegExp(`^[a-zA-Z0-9_-]{${length}}$`);
}
var duration = /^P(?:(\d+W)|(?!.*W)(?=\d|T\d)(\d+Y)?(\d+M)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+([.,]\d+)?S)?)?)$/;
var guid = /^([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})$/;
var uuid = (version2) => {
  if (!version2)
    return /^([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-8][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}|00000000-0000-0000-0000-000000000000|ffffffff-ffff-ffff-ffff-ffffffffffff)$/;
  return new RegExp(`^([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-${version2}[0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12})$`);
};
var email = /^(?:[A-Za-z0-9_'+\-]+\.)*[A-Za-z0-9_'+\-]*[A-Za-z0-9_+-]@(?:[A-Za-z0-9][A-Za-z0-9\-]*\.)+[A-Za-z]{2,}$/;
var _emoji = `^(?=[\\s\\S]*[\\p{Extended_Pictographic}\\p{Regional_Indicator}\\u20E3])[\\p{Extended_Pictographic}\\p{Emoji_Component}]+$`;
function emoji() {
  return new RegExp(_emoji, "u");
}
var ipv4 = /^(?:(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9][0-9]|[0-9])\.){3}(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9][0-9]|[0-9])$/;
var ipv6 = /^(([0-9a-fA-F]{1,4}:){7}[0-9a-fA-F]{1,4}|([0-9a-fA-F]{1,4}:){1,7}:|([0-9a-fA-F]{1,4}:){1,6}:[0-9a-fA-F]{1,4}|([0-9a-fA-F]{1,4}:){1,5}(:[0-9a-fA-F]{1,4}){1,2}|([0-9a-fA-F]{1,4}:){1,4}(:[0-9a-fA-F]{1,4}){1,3}|([0-9a-fA-F]{1,4}:){1,3}(:[0-9a-fA-F]{1,4}){1,4}|([0-9a-fA-F]{1,4}:){1,2}(:[0-9a-fA-F]{1,4}){1,5}|[0-9a-fA-F]{1,4}:((:[0-9a-fA-F]{1,4}){1,6})|:((:[0-9a-fA-F]{1,4}){1,7}|:))$/;
var cidrv4 = /^((25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9][0-9]|[0-9])\.){3}(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9][0-9]|[0-9])\/([0-9]|[1-2][0-9]|3[0-2])$/;
var cidrv6 = /^(([0-9a-fA-F]{1,4}:){7}[0-9a-fA-F]{1,4}|([0-9a-fA-F]{1,4}:){1,7}:|([0-9a-fA-F]{1,4}:){1,6}:[0-9a-fA-F]{1,4}|([0-9a-fA-F]{1,4}:){1,5}(:[0-9a-fA-F]{1,4}){1,2}|([0-9a-fA-F]{1,4}:){1,4}(:[0-9a-fA-F]{1,4}){1,3}|([0-9a-fA-F]{1,4}:){1,3}(:[0-9a-fA-F]{1,4}){1,4}|([0-9a-fA-F]{1,4}:){1,2}(:[0-9a-fA-F]{1,4}){1,5}|[0-9a-fA-F]{1,4}:((:[0-9a-fA-F]{1,4}){1,6})|:((:[0-9a-fA-F]{1,4}){1,7}|:))\/(12[0-8]|1[01][0-9]|[1-9]?[0-9])$/;
var base64 = /^$|^(?:[0-9a-zA-Z+/]{4})*(?:(?:[0-9a-zA-Z+/]{2}==)|(?:[0-9a-zA-Z+/]{3}=))?$/;
var base64url = /^(?:[A-Za-z0-9_-]{4})*(?:[A-Za-z0-9_-]{2,3})?$/;
var httpProtocol = /^https?$/;
var e164 = /^\+[1-9]\d{6,14}$/;
var dateSource = `(?:(?:\\d\\d[2468][048]|\\d\\d[13579][26]|\\d\\d0[48]|[02468][048]00|[13579][26]00)-02-29|\\d{4}-(?:(?:0[13578]|1[02])-(?:0[1-9]|[12]\\d|3[01])|(?:0[469]|11)-(?:0[1-9]|[12]\\d|30)|(?:02)-(?:0[1-9]|1\\d|2[0-8])))`;
function anchor(source) {
  return new RegExp(`^${source}$`);
}
var date = /* @__PURE__ */ anchor(dateSource);
function timeSource(args) {
  const hhmm = `(?:[01]\\d|2[0-3]):[0-5]\\d`;
  const regex = typeof args.precision === "number" ? args.precision === -1 ? `${hhmm}` : args.precision === 0 ? `${hhmm}:[0-5]\\d` : `${hhmm}:[0-5]\\d\\.\\d{${args.precision}}` : args.seconds ? `${hhmm}:[0-5]\\d(?:\\.\\d+)?` : `${hhmm}(?::[0-5]\\d(?:\\.\\d+)?)?`;
  return regex;
}
function time(args) {
  return new RegExp(`^${timeSource(args)}$`);
}
function datetime(args) {
  const opts = ["Z"];
  if (args.offset)
    opts.push(`([+-](?:[01]\\d|2[0-3]):[0-5]\\d)`);
  const qualified = `${timeSource({ precision: args.precision, seconds: true })}(?:${opts.join("|")})`;
  const timeRegex = args.local ? `${qualified}|${timeSource({ precision: args.precision })}` : qualified;
  return new RegExp(`^${dateSource}T(?:${timeRegex})$`);
}
var anyString = /^[\s\S]{0,}$/;
var integer = /^-?\d+$/;
var number = /^-?\d+(?:\.\d+)?$/;
var boolean = /^(?:true|false)$/i;
var lowercase = /^[^A-Z]*$/;
var uppercase = /^[^a-z]*$/;

// node_modules/zod/v4/core/checks.js
var $ZodCheck = /* @__PURE__ */ $constructor("$ZodCheck", (inst, def) => {
  var _a3;
  inst._zod ?? (inst._zod = {});
  inst._zod.def = def;
  (_a3 = inst._zod).onattach ?? (_a3.onattach = []);
});
var _whenHasLength = (payload) => {
  const val = payload.value;
  return !nullish(val) && val.length !== void 0;
};
var numericOriginMap = {
  number: "number",
  bigint: "bigint",
  object: "date"
};
var $ZodCheckLessThan = /* @__PURE__ */ $constructor("$ZodCheckLessThan", (inst, def) => {
  $ZodCheck.init(inst, def);
  const origin = numericOriginMap[typeof def.value];
  inst._zod.check = (payload) => {
    if (def.inclusive ? payload.value <= def.value : payload.value < def.value) {
      return;
    }
    payload.issues.push({
      origin: numericOriginMap[typeof payload.value] ?? origin,
      code: "too_big",
      maximum: typeof def.value === "object" ? def.value.getTime() : def.value,
      input: payload.value,
      inclusive: def.inclusive,
      inst,
      continue: !def.abort
    });
  };
});
var $ZodCheckGreaterThan = /* @__PURE__ */ $constructor("$ZodCheckGreaterThan", (inst, def) => {
  $ZodCheck.init(inst, def);
  const origin = numericOriginMap[typeof def.value];
  inst._zod.check = (payload) => {
    if (def.inclusive ? payload.value >= def.value : payload.value > def.value) {
      return;
    }
    payload.issues.push({
      origin: numericOriginMap[typeof payload.value] ?? origin,
      code: "too_small",
      minimum: typeof def.value === "object" ? def.value.getTime() : def.value,
      input: payload.value,
      inclusive: def.inclusive,
      inst,
      continue: !def.abort
    });
  };
});
var $ZodCheckMultipleOf = /* @__PURE__ */ $constructor("$ZodCheckMultipleOf", (inst, def) => {
  $ZodCheck.init(inst, def);
  inst._zod.check = (payload) => {
    if (typeof payload.value !== typeof def.value)
      throw new Error("Cannot mix number and bigint in multiple_of check.");
    const isMultiple = typeof payload.value === "bigint" ? (
      // `value % 0n` throws, and nothing is a multiple of zero — the number branch already fails this way via NaN
      def.value !== BigInt(0) && payload.value % def.value === BigInt(0)
    ) : floatSafeRemainder(payload.value, def.value) === 0;
    if (isMultiple)
      return;
    payload.issues.push({
      origin: typeof payload.value,
      code: "not_multiple_of",
      divisor: def.value,
      input: payload.value,
      inst,
      continue: !def.abort
    });
  };
});
var $ZodCheckNumberFormat = /* @__PURE__ */ $constructor("$ZodCheckNumberFormat", (inst, def) => {
  $ZodCheck.init(inst, def);
  def.format = def.format || "float64";
  const isInt = def.format?.includes("int");
  const origin = isInt ? "int" : "number";
  const [minimum, maximum] = NUMBER_FORMAT_RANGES[def.format];
  inst._zod.check = (payload) => {
    const input = payload.value;
    if (isInt) {
      if (!Number.isInteger(input)) {
        payload.issues.push({
          expected: origin,
          format: def.format,
          code: "invalid_type",
          continue: false,
          input,
          inst
        });
        return;
      }
      if (!Number.isSafeInteger(input)) {
        if (input > 0) {
          payload.issues.push({
            input,
            code: "too_big",
            maximum: Number.MAX_SAFE_INTEGER,
            note: "Integers must be within the safe integer range.",
            inst,
            origin,
            inclusive: true,
            continue: !def.abort
          });
        } else {
          payload.issues.push({
            input,
            code: "too_small",
            minimum: Number.MIN_SAFE_INTEGER,
            note: "Integers must be within the safe integer range.",
            inst,
            origin,
            inclusive: true,
            continue: !def.abort
          });
        }
        return;
      }
    }
    if (input < minimum) {
      payload.issues.push({
        origin: "number",
        input,
        code: "too_small",
        minimum,
        inclusive: true,
        inst,
        continue: !def.abort
      });
    }
    if (input > maximum) {
      payload.issues.push({
        origin: "number",
        input,
        code: "too_big",
        maximum,
        inclusive: true,
        inst,
        continue: !def.abort
      });
    }
  };
});
var $ZodCheckMaxLength = /* @__PURE__ */ $constructor("$ZodCheckMaxLength", (inst, def) => {
  var _a3;
  $ZodCheck.init(inst, def);
  (_a3 = inst._zod.def).when ?? (_a3.when = _whenHasLength);
  inst._zod.check = (payload) => {
    const input = payload.value;
    const units = input.length;
    const length = typeof input === "string" && units > def.maximum ? codePointLength(input) : units;
    if (length <= def.maximum)
      return;
    const origin = getLengthableOrigin(input);
    payload.issues.push({
      origin,
      code: "too_big",
      maximum: def.maximum,
      inclusive: true,
      input,
      inst,
      continue: !def.abort
    });
  };
});
var $ZodCheckMinLength = /* @__PURE__ */ $constructor("$ZodCheckMinLength", (inst, def) => {
  var _a3;
  $ZodCheck.init(inst, def);
  (_a3 = inst._zod.def).when ?? (_a3.when = _whenHasLength);
  inst._zod.check = (payload) => {
    const input = payload.value;
    const units = input.length;
    const length = typeof input === "string" && units >= def.minimum && units < def.minimum * 2 ? codePointLength(input) : units;
    if (length >= def.minimum)
      return;
    const origin = getLengthableOrigin(input);
    payload.issues.push({
      origin,
      code: "too_small",
      minimum: def.minimum,
      inclusive: true,
      input,
      inst,
      continue: !def.abort
    });
  };
});
var $ZodCheckLengthEquals = /* @__PURE__ */ $constructor("$ZodCheckLengthEquals", (inst, def) => {
  var _a3;
  $ZodCheck.init(inst, def);
  (_a3 = inst._zod.def).when ?? (_a3.when = _whenHasLength);
  inst._zod.check = (payload) => {
    const input = payload.value;
    const units = input.length;
    const length = typeof input === "string" && units >= def.length && units <= def.length * 2 ? codePointLength(input) : units;
    if (length === def.length)
      return;
    const origin = getLengthableOrigin(input);
    const tooBig = length > def.length;
    payload.issues.push({
      origin,
      ...tooBig ? { code: "too_big", maximum: def.length } : { code: "too_small", minimum: def.length },
      inclusive: true,
      exact: true,
      input: payload.value,
      inst,
      continue: !def.abort
    });
  };
});
var $ZodCheckStringFormat = /* @__PURE__ */ $constructor("$ZodCheckStringFormat", (inst, def) => {
  var _a3, _b;
  $ZodCheck.init(inst, def);
  if (def.pattern)
    (_a3 = inst._zod).check ?? (_a3.check = (payload) => {
      def.pattern.lastIndex = 0;
      if (def.pattern.test(payload.value))
        return;
      payload.issues.push({
        origin: "string",
        code: "invalid_format",
        format: def.format,
        input: payload.value,
        ...def.pattern ? { pattern: def.pattern.toString() } : {},
        inst,
        continue: !def.abort
      });
    });
  else
    (_b = inst._zod).check ?? (_b.check = () => {
    });
});
var $ZodCheckRegex = /* @__PURE__ */ $constructor("$ZodCheckRegex", (inst, def) => {
  $ZodCheckStringFormat.init(inst, def);
  inst._zod.check = (payload) => {
    def.pattern.lastIndex = 0;
    if (def.pattern.test(payload.value))
      return;
    payload.issues.push({
      origin: "string",
      code: "invalid_format",
      format: "regex",
      input: payload.value,
      pattern: def.pattern.toString(),
      inst,
      continue: !def.abort
    });
  };
});
var $ZodCheckLowerCase = /* @__PURE__ */ $constructor("$ZodCheckLowerCase", (inst, def) => {
  def.pattern ?? (def.pattern = lowercase);
  $ZodCheckStringFormat.init(inst, def);
});
var $ZodCheckUpperCase = /* @__PURE__ */ $constructor("$ZodCheckUpperCase", (inst, def) => {
  def.pattern ?? (def.pattern = uppercase);
  $ZodCheckStringFormat.init(inst, def);
});
var $ZodCheckIncludes = /* @__PURE__ */ $constructor("$ZodCheckIncludes", (inst, def) => {
  $ZodCheck.init(inst, def);
  const escapedRegex = escapeRegex(def.includes);
  const pattern = new RegExp(typeof def.position === "number" ? `^.{${def.position},}${escapedRegex}` : escapedRegex);
  def.pattern = pattern;
  inst._zod.check = (payload) => {
    if (payload.value.includes(def.includes, def.position))
      return;
    payload.issues.push({
      origin: "string",
      code: "invalid_format",
      format: "includes",
      includes: def.includes,
      input: payload.value,
      inst,
      continue: !def.abort
    });
  };
});
var $ZodCheckStartsWith = /* @__PURE__ */ $constructor("$ZodCheckStartsWith", (inst, def) => {
  $ZodCheck.init(inst, def);
  const pattern = new RegExp(`^${escapeRegex(def.prefix)}.*`);
  def.pattern ?? (def.pattern = pattern);
  inst._zod.check = (payload) => {
    if (payload.value.startsWith(def.prefix))
      return;
    payload.issues.push({
      origin: "string",
      code: "invalid_format",
      format: "starts_with",
      prefix: def.prefix,
      input: payload.value,
      inst,
      continue: !def.abort
    });
  };
});
var $ZodCheckEndsWith = /* @__PURE__ */ $constructor("$ZodCheckEndsWith", (inst, def) => {
  $ZodCheck.init(inst, def);
  const pattern = new RegExp(`.*${escapeRegex(def.suffix)}$`);
  def.pattern ?? (def.pattern = pattern);
  inst._zod.check = (payload) => {
    if (payload.value.endsWith(def.suffix))
      return;
    payload.issues.push({
      origin: "string",
      code: "invalid_format",
      format: "ends_with",
      suffix: def.suffix,
      input: payload.value,
      inst,
      continue: !def.abort
    });
  };
});
var $ZodCheckOverwrite = /* @__PURE__ */ $constructor("$ZodCheckOverwrite", (inst, def) => {
  $ZodCheck.init(inst, def);
  inst._zod.check = (payload) => {
    payload.value = def.tx(payload.value);
  };
});

// node_modules/zod/v4/core/doc.js
var Doc = class {
  constructor(args = [], closed = {}) {
    this.content = [];
    this.indent = 0;
    this.args = args;
    this.closed = closed;
  }
  // the compiler catches a child's throw and keeps writing into this doc, so the indent has to unwind with it
  indented(fn) {
    this.indent += 1;
    try {
      fn(this);
    } finally {
      this.indent -= 1;
    }
  }
  write(arg) {
    if (typeof arg === "function") {
      arg(this, { execution: "sync" });
      arg(this, { execution: "async" });
      return;
    }
    const content = arg;
    const lines = content.split("\n").filter((x) => x);
    const minIndent = Math.min(...lines.map((x) => x.length - x.trimStart().length));
    const dedented = lines.map((x) => x.slice(minIndent)).map((x) => " ".repeat(this.indent * 2) + x);
    for (const line of dedented) {
      this.content.push(line);
    }
  }
  compile() {
    const F = Function;
    const content = this?.content ?? [``];
    const factory = new F(...Object.keys(this.closed), `return function (${this.args.join(", ")}) {
${content.join("\n")}
};`);
    return factory(...Object.values(this.closed));
  }
};

// node_modules/zod/v4/core/versions.js
var version = {
  major: 4,
  minor: 6,
  patch: 7
};

// node_modules/zod/v4/core/schemas.js
var $ZodType = /* @__PURE__ */ $constructor("$ZodType", (inst, def) => {
  var _a3;
  inst ?? (inst = {});
  inst._zod.def = def;
  inst._zod.bag = inst._zod.bag || {};
  inst._zod.version = version;
  const defChecks = inst._zod.def.checks;
  const checks = inst._zod.traits.has("$ZodCheck") ? [inst, ...defChecks ?? []] : defChecks?.length ? [...defChecks] : [];
  for (const ch of checks) {
    for (const fn of ch._zod.onattach) {
      fn(inst);
    }
  }
  if (checks.length === 0) {
    (_a3 = inst._zod).deferred ?? (_a3.deferred = []);
    inst._zod.deferred?.push(() => {
      inst._zod.run = inst._zod.parse;
    });
  } else {
    const runChecks = (payload, checks2, ctx) => {
      if (payload.memo)
        return payload;
      let isAborted = aborted(payload);
      let asyncResult;
      for (const ch of checks2) {
        if (ch._zod.def.when) {
          if (explicitlyAborted(payload))
            continue;
          const shouldRun = ch._zod.def.when(payload);
          if (!shouldRun)
            continue;
        } else if (isAborted) {
          continue;
        }
        const currLen = payload.issues.length;
        const _ = ch._zod.check(payload);
        if (_ instanceof Promise && ctx?.async === false) {
          throw new $ZodAsyncError();
        }
        if (asyncResult || _ instanceof Promise) {
          asyncResult = (asyncResult ?? Promise.resolve()).then(async () => {
            await _;
            const nextLen = payload.issues.length;
            if (nextLen === currLen)
              return;
            attachSchema(payload.issues, currLen, inst);
            if (!isAborted)
              isAborted = aborted(payload, currLen);
          });
        } else {
          const nextLen = payload.issues.length;
          if (nextLen === currLen)
            continue;
          attachSchema(payload.issues, currLen, inst);
          if (!isAborted)
            isAborted = aborted(payload, currLen);
        }
      }
      if (asyncResult) {
        return asyncResult.then(() => {
          return payload;
        });
      }
      return payload;
    };
    const handleCanaryResult = (canary, payload, ctx) => {
      if (aborted(canary)) {
        canary.aborted = true;
        return canary;
      }
      const checkResult = runChecks(payload, checks, ctx);
      if (checkResult instanceof Promise) {
        if (ctx.async === false)
          throw new $ZodAsyncError();
        return checkResult.then((checkResult2) => inst._zod.parse(checkResult2, ctx));
      }
      return inst._zod.parse(checkResult, ctx);
    };
    inst._zod.run = (payload, ctx) => {
      if (ctx.skipChecks) {
        return inst._zod.parse(payload, ctx);
      }
      if (ctx.direction === "backward") {
        const canary = inst._zod.parse({ value: payload.value, issues: [] }, { ...ctx, skipChecks: true });
        if (canary instanceof Promise) {
          return canary.then((canary2) => {
            return handleCanaryResult(canary2, payload, ctx);
          });
        }
        return handleCanaryResult(canary, payload, ctx);
      }
      const result = inst._zod.parse(payload, ctx);
      if (result instanceof Promise) {
        if (ctx.async === false)
          throw new $ZodAsyncError();
        return result.then((result2) => runChecks(result2, checks, ctx));
      }
      return runChecks(result, checks, ctx);
    };
  }
}, {
  // Wrappers extend this by installing a richer factory over it; reading it eagerly would defeat the laziness.
  get "~standard"() {
    return hide(this, "~standard", standardProps(this));
  },
  set "~standard"(value) {
    own(this, "~standard", value);
  }
});
var toStandardResult = (r, ctx) => r.issues.length ? { issues: r.issues.map((iss) => finalizeIssue(iss, ctx, config())) } : { value: r.value };
async function validateAsync2(inst, value) {
  const ctx = { async: true };
  return toStandardResult(await inst._zod.run({ value, issues: [] }, ctx), ctx);
}
function standardProps(inst) {
  return {
    validate: (value) => {
      const ctx = { async: false };
      try {
        const r = inst._zod.run({ value, issues: [] }, ctx);
        if (!(r instanceof Promise))
          return toStandardResult(r, ctx);
      } catch (_) {
      }
      return validateAsync2(inst, value);
    },
    vendor: "zod",
    version: 1
  };
}
var $ZodString = /* @__PURE__ */ $constructor("$ZodString", (inst, def) => {
  $ZodType.init(inst, def);
  inst._zod.pattern = def.pattern ?? anyString;
  inst._zod.parse = (payload, _) => {
    if (def.coerce)
      try {
        payload.value = String(payload.value);
      } catch (_2) {
      }
    if (typeof payload.value === "string")
      return payload;
    payload.issues.push({
      expected: "string",
      code: "invalid_type",
      input: payload.value,
      inst
    });
    return payload;
  };
});
var $ZodStringFormat = /* @__PURE__ */ $constructor("$ZodStringFormat", (inst, def) => {
  $ZodCheckStringFormat.init(inst, def);
  $ZodString.init(inst, def);
});
var $ZodGUID = /* @__PURE__ */ $constructor("$ZodGUID", (inst, def) => {
  def.pattern ?? (def.pattern = guid);
  $ZodStringFormat.init(inst, def);
});
var $ZodUUID = /* @__PURE__ */ $constructor("$ZodUUID", (inst, def) => {
  if (def.version) {
    const versionMap = {
      v1: 1,
      v2: 2,
      v3: 3,
      v4: 4,
      v5: 5,
      v6: 6,
      v7: 7,
      v8: 8
    };
    const v = versionMap[def.version];
    if (v === void 0)
      throw new Error(`Invalid UUID version: "${def.version}"`);
    def.pattern ?? (def.pattern = uuid(v));
  } else
    def.pattern ?? (def.pattern = uuid());
  $ZodStringFormat.init(inst, def);
});
var $ZodEmail = /* @__PURE__ */ $constructor("$ZodEmail", (inst, def) => {
  def.pattern ?? (def.pattern = email);
  $ZodStringFormat.init(inst, def);
});
var URL_BAD_FORMAT = 1;
var URL_UNPARSEABLE = 2;
function canParseURL(input) {
  try {
    if (typeof URL !== "undefined" && typeof URL.canParse === "function")
      return URL.canParse(input);
    new URL(input);
    return true;
  } catch {
    return false;
  }
}
function validateURL(trimmed, def) {
  if (!("normalize" in def) && !("hostname" in def) && !("protocol" in def)) {
    return canParseURL(trimmed) || URL_UNPARSEABLE;
  }
  return parseURLObject(trimmed, def);
}
function parseURLObject(trimmed, def) {
  if (!def.normalize && def.protocol?.source === httpProtocol.source && !/^https?:\/\//i.test(trimmed)) {
    return URL_BAD_FORMAT;
  }
  try {
    if (typeof URL !== "undefined") {
      const URLStatic = URL;
      if (typeof URLStatic.parse === "function")
        return URLStatic.parse(trimmed) ?? URL_UNPARSEABLE;
    }
    return new URL(trimmed);
  } catch {
    return URL_UNPARSEABLE;
  }
}
var asciiTabOrNewline = /[\t\n\r]/g;
function stripTabAndNewline(value) {
  return value.replace(asciiTabOrNewline, "");
}
function urlHostnameOk(url, hostname) {
  hostname.lastIndex = 0;
  return hostname.test(url.hostname);
}
function urlProtocolOk(url, protocol) {
  protocol.lastIndex = 0;
  return protocol.test(url.protocol.endsWith(":") ? url.protocol.slice(0, -1) : url.protocol);
}
var $ZodURL = /* @__PURE__ */ $constructor("$ZodURL", (inst, def) => {
  $ZodStringFormat.init(inst, def);
  inst._zod.check = (payload) => {
    try {
      const trimmed = payload.value.trim();
      const url = validateURL(trimmed, def);
      if (url === URL_BAD_FORMAT) {
        payload.issues.push({
          code: "invalid_format",
          format: "url",
          note: "Invalid URL format",
          input: payload.value,
          inst,
          continue: !def.abort
        });
        return;
      }
      if (url === URL_UNPARSEABLE) {
        payload.issues.push({
          code: "invalid_format",
          format: "url",
          input: payload.value,
          inst,
          continue: !def.abort
        });
        return;
      }
      if (url === true) {
        payload.value = stripTabAndNewline(trimmed);
        return;
      }
      if (def.hostname && !urlHostnameOk(url, def.hostname)) {
        payload.issues.push({
          code: "invalid_format",
          format: "url",
          note: "Invalid hostname",
          pattern: def.hostname.source,
          input: payload.value,
          inst,
          continue: !def.abort
        });
      }
      if (def.protocol && !urlProtocolOk(url, def.protocol)) {
        payload.issues.push({
          code: "invalid_format",
          format: "url",
          note: "Invalid protocol",
          pattern: def.protocol.source,
          input: payload.value,
          inst,
          continue: !def.abort
        });
      }
      payload.value = def.normalize ? url.href : stripTabAndNewline(trimmed);
      return;
    } catch (_) {
      payload.issues.push({
        code: "invalid_format",
        format: "url",
        input: payload.value,
        inst,
        continue: !def.abort
      });
    }
  };
});
var $ZodEmoji = /* @__PURE__ */ $constructor("$ZodEmoji", (inst, def) => {
  def.pattern ?? (def.pattern = emoji());
  $ZodStringFormat.init(inst, def);
});
var $ZodNanoID = /* @__PURE__ */ $constructor("$ZodNanoID", (inst, def) => {
  if (def.length !== void 0 && (!Number.isInteger(def.length) || def.length < 1))
    throw new Error(`Invalid nanoid length: ${def.length}`);
  def.pattern ?? (def.pattern = def.length === void 0 ? nanoid : nanoidOfLength(def.length));
  $ZodStringFormat.init(inst, def);
});
var $ZodCUID = /* @__PURE__ */ $constructor("$ZodCUID", (inst, def) => {
  def.pattern ?? (def.pattern = cuid);
  $ZodStringFormat.init(inst, def);
});
var $ZodCUID2 = /* @__PURE__ */ $constructor("$ZodCUID2", (inst, def) => {
  def.pattern ?? (def.pattern = cuid2);
  $ZodStringFormat.init(inst, def);
});
var $ZodULID = /* @__PURE__ */ $constructor("$ZodULID", (inst, def) => {
  def.pattern ?? (def.pattern = ulid);
  $ZodStringFormat.init(inst, def);
});
var $ZodXID = /* @__PURE__ */ $constructor("$ZodXID", (inst, def) => {
  def.pattern ?? (def.pattern = xid);
  $ZodStringFormat.init(inst, def);
});
var $ZodKSUID = /* @__PURE__ */ $constructor("$ZodKSUID", (inst, def) => {
  def.pattern ?? (def.pattern = ksuid);
  $ZodStringFormat.init(inst, def);
});
var $ZodISODateTime = /* @__PURE__ */ $constructor("$ZodISODateTime", (inst, def) => {
  def.pattern ?? (def.pattern = datetime(def));
  $ZodStringFormat.init(inst, def);
});
var $ZodISODate = /* @__PURE__ */ $constructor("$ZodISODate", (inst, def) => {
  def.pattern ?? (def.pattern = date);
  $ZodStringFormat.init(inst, def);
});
var $ZodISOTime = /* @__PURE__ */ $constructor("$ZodISOTime", (inst, def) => {
  def.pattern ?? (def.pattern = time(def));
  $ZodStringFormat.init(inst, def);
});
var $ZodISODuration = /* @__PURE__ */ $constructor("$ZodISODuration", (inst, def) => {
  def.pattern ?? (def.pattern = duration);
  $ZodStringFormat.init(inst, def);
});
var $ZodIPv4 = /* @__PURE__ */ $constructor("$ZodIPv4", (inst, def) => {
  def.pattern ?? (def.pattern = ipv4);
  $ZodStringFormat.init(inst, def);
});
var ipv6Alphabet = /^[0-9a-fA-F:.]+$/;
function isValidIPv6(value) {
  if (!ipv6Alphabet.test(value))
    return false;
  return canParseURL(`http://[${value}]`);
}
var $ZodIPv6 = /* @__PURE__ */ $constructor("$ZodIPv6", (inst, def) => {
  def.pattern ?? (def.pattern = ipv6);
  $ZodStringFormat.init(inst, def);
  inst._zod.check = (payload) => {
    if (!isValidIPv6(payload.value)) {
      payload.issues.push({
        code: "invalid_format",
        format: "ipv6",
        input: payload.value,
        inst,
        continue: !def.abort
      });
    }
  };
});
var $ZodCIDRv4 = /* @__PURE__ */ $constructor("$ZodCIDRv4", (inst, def) => {
  def.pattern ?? (def.pattern = cidrv4);
  $ZodStringFormat.init(inst, def);
});
function isValidCIDRv6(value) {
  const parts = value.split("/");
  if (parts.length !== 2)
    return false;
  const [address, prefix] = parts;
  if (!prefix)
    return false;
  const prefixNum = Number(prefix);
  if (`${prefixNum}` !== prefix)
    return false;
  if (prefixNum < 0 || prefixNum > 128)
    return false;
  return isValidIPv6(address);
}
var $ZodCIDRv6 = /* @__PURE__ */ $constructor("$ZodCIDRv6", (inst, def) => {
  def.pattern ?? (def.pattern = cidrv6);
  $ZodStringFormat.init(inst, def);
  inst._zod.check = (payload) => {
    if (!isValidCIDRv6(payload.value)) {
      payload.issues.push({
        code: "invalid_format",
        format: "cidrv6",
        input: payload.value,
        inst,
        continue: !def.abort
      });
    }
  };
});
function isValidBase64(data) {
  if (data === "")
    return true;
  if (/\s/.test(data))
    return false;
  if (data.length % 4 !== 0)
    return false;
  try {
    atob(data);
    return true;
  } catch {
    return false;
  }
}
var base64Charset = /^[0-9a-zA-Z+/]*={0,2}$/;
var $ZodBase64 = /* @__PURE__ */ $constructor("$ZodBase64", (inst, def) => {
  def.pattern ?? (def.pattern = base64Charset);
  $ZodStringFormat.init(inst, def);
  inst._zod.check = (payload) => {
    if (isValidBase64(payload.value))
      return;
    payload.issues.push({
      code: "invalid_format",
      format: "base64",
      input: payload.value,
      inst,
      continue: !def.abort
    });
  };
});
var base64urlCharset = /^[A-Za-z0-9_-]*$/;
function isValidBase64URL(data) {
  if (!base64urlCharset.test(data))
    return false;
  const base642 = data.replace(/[-_]/g, (c) => c === "-" ? "+" : "/");
  const padded = base642.padEnd(Math.ceil(base642.length / 4) * 4, "=");
  return isValidBase64(padded);
}
var $ZodBase64URL = /* @__PURE__ */ $constructor("$ZodBase64URL", (inst, def) => {
  def.pattern ?? (def.pattern = base64urlCharset);
  $ZodStringFormat.init(inst, def);
  inst._zod.check = (payload) => {
    if (isValidBase64URL(payload.value))
      return;
    payload.issues.push({
      code: "invalid_format",
      format: "base64url",
      input: payload.value,
      inst,
      continue: !def.abort
    });
  };
});
var $ZodE164 = /* @__PURE__ */ $constructor("$ZodE164", (inst, def) => {
  def.pattern ?? (def.pattern = e164);
  $ZodStringFormat.init(inst, def);
});
function isValidJWT(token, algorithm = null) {
  try {
    const tokensParts = token.split(".");
    if (tokensParts.length !== 3)
      return false;
    const [header] = tokensParts;
    if (!header)
      return false;
    const parsedHeader = JSON.parse(atob(header));
    if ("typ" in parsedHeader && parsedHeader?.typ !== "JWT")
      return false;
    if (!parsedHeader.alg)
      return false;
    if (algorithm && (!("alg" in parsedHeader) || parsedHeader.alg !== algorithm))
      return false;
    return true;
  } catch {
    return false;
  }
}
var $ZodJWT = /* @__PURE__ */ $constructor("$ZodJWT", (inst, def) => {
  $ZodStringFormat.init(inst, def);
  inst._zod.check = (payload) => {
    if (isValidJWT(payload.value, def.alg))
      return;
    payload.issues.push({
      code: "invalid_format",
      format: "jwt",
      input: payload.value,
      inst,
      continue: !def.abort
    });
  };
});
var $ZodNumber = /* @__PURE__ */ $constructor("$ZodNumber", (inst, def) => {
  $ZodType.init(inst, def);
  inst._zod.pattern = number;
  inst._zod.parse = (payload, _ctx) => {
    if (def.coerce)
      try {
        payload.value = Number(payload.value);
      } catch (_) {
      }
    const input = payload.value;
    if (typeof input === "number" && !Number.isNaN(input) && Number.isFinite(input)) {
      return payload;
    }
    const received = typeof input === "number" ? Number.isNaN(input) ? "NaN" : !Number.isFinite(input) ? String(input) : void 0 : void 0;
    payload.issues.push({
      expected: "number",
      code: "invalid_type",
      input,
      inst,
      ...received ? { received } : {}
    });
    return payload;
  };
});
var $ZodNumberFormat = /* @__PURE__ */ $constructor("$ZodNumberFormat", (inst, def) => {
  $ZodCheckNumberFormat.init(inst, def);
  $ZodNumber.init(inst, def);
});
var $ZodBoolean = /* @__PURE__ */ $constructor("$ZodBoolean", (inst, def) => {
  $ZodType.init(inst, def);
  inst._zod.pattern = boolean;
  inst._zod.parse = (payload, _ctx) => {
    if (def.coerce)
      try {
        payload.value = Boolean(payload.value);
      } catch (_) {
      }
    const input = payload.value;
    if (typeof input === "boolean")
      return payload;
    payload.issues.push({
      expected: "boolean",
      code: "invalid_type",
      input,
      inst
    });
    return payload;
  };
});
var $ZodUnknown = /* @__PURE__ */ $constructor("$ZodUnknown", (inst, def) => {
  $ZodType.init(inst, def);
  inst._zod.parse = (payload) => payload;
});
var $ZodNever = /* @__PURE__ */ $constructor("$ZodNever", (inst, def) => {
  $ZodType.init(inst, def);
  inst._zod.parse = (payload, _ctx) => {
    payload.issues.push({
      expected: "never",
      code: "invalid_type",
      input: payload.value,
      inst
    });
    return payload;
  };
});
function capSize(inst, size2) {
  const caps = sizeCaps(inst._zod.def.checks);
  if (!caps.length)
    return;
  const cap = Math.min(...caps.map((c) => c[0]));
  const parse2 = inst._zod.parse;
  inst._zod.parse = (payload, ctx) => {
    const n = size2(payload.value);
    if (n > cap && !ctx?.skipChecks && ctx?.direction !== "backward") {
      for (const [max, ch] of sizeCaps(inst._zod.def.checks)) {
        if (n > max && ch._zod.def.when(payload)) {
          const start = payload.issues.length;
          ch._zod.check(payload);
          payload.issues[start].continue = false;
          attachSchema(payload.issues, start, inst);
          return payload;
        }
      }
    }
    return parse2(payload, ctx);
  };
}
var arraySize = (input) => Array.isArray(input) ? input.length : -1;
function handleArrayResult(result, final, index) {
  if (result.issues.length) {
    final.issues.push(...prefixIssues(index, result.issues));
  }
  final.value[index] = result.value;
}
var $ZodArray = /* @__PURE__ */ $constructor("$ZodArray", (inst, def) => {
  $ZodType.init(inst, def);
  const memo2 = globalConfig.memoizer;
  memo2?.attach(inst);
  inst._zod.parse = (payload, ctx) => {
    const input = payload.value;
    if (!Array.isArray(input)) {
      payload.issues.push({
        expected: "array",
        code: "invalid_type",
        input,
        inst
      });
      return payload;
    }
    payload.value = memo2 ? memo2.alloc(inst, payload, Array(input.length), ctx) : Array(input.length);
    const proms = [];
    const abortEarly = ctx?.abortEarly;
    for (let i = 0; i < input.length; i++) {
      const item = input[i];
      const result = def.element._zod.run({
        value: item,
        issues: []
      }, ctx);
      if (result instanceof Promise) {
        proms.push(result.then((result2) => handleArrayResult(result2, payload, i)));
      } else {
        handleArrayResult(result, payload, i);
        if (abortEarly && result.issues.length !== 0 && aborted(result))
          break;
      }
    }
    if (proms.length) {
      return Promise.all(proms).then(() => payload);
    }
    return payload;
  };
  capSize(inst, arraySize);
});
function handlePropertyResult(result, final, key, input, optin, optout) {
  const isPresent2 = key in input;
  const isOptionalOut = optout === "optional";
  if (!isPresent2 && isOptionalOut && optin === "optional") {
    return;
  }
  if (result.issues.length) {
    if (optin !== void 0 && isOptionalOut && !isPresent2) {
      return;
    }
    final.issues.push(...prefixIssues(key, result.issues));
  }
  if (!isPresent2 && optin === void 0) {
    if (!result.issues.length) {
      final.issues.push({
        code: "invalid_type",
        expected: "nonoptional",
        input: void 0,
        path: [key]
      });
    }
    return;
  }
  if (result.value === void 0) {
    if (isPresent2 || optin === "defaulted" && !isOptionalOut) {
      final.value[key] = void 0;
    }
  } else {
    final.value[key] = result.value;
  }
}
var NO_SYMBOL_KEYS = [];
function normalizeDef(def) {
  const keys = Object.keys(def.shape);
  const ownSymbols = Object.getOwnPropertySymbols(def.shape);
  const symbolKeys = ownSymbols.length ? ownSymbols : NO_SYMBOL_KEYS;
  const allKeys = symbolKeys.length ? [...keys, ...symbolKeys] : keys;
  for (const k of allKeys) {
    if (!def.shape?.[k]?._zod?.traits?.has("$ZodType")) {
      throw new Error(`Invalid element at key "${String(k)}": expected a Zod schema`);
    }
  }
  const okeys = optionalKeys(def.shape);
  return {
    ...def,
    allKeys,
    symbolKeys,
    // string-only: handleCatchall matches it against `for...in`, which never yields a symbol
    keySet: new Set(keys),
    numKeys: keys.length,
    optionalKeys: new Set(okeys)
  };
}
function handleCatchall(proms, input, payload, ctx, def, inst, abortEarly) {
  const unrecognized = [];
  const keySet = def.keySet;
  const _catchall = def.catchall._zod;
  const t = _catchall.def.type;
  const optin = _catchall.optin;
  const optout = _catchall.optout;
  let seen = 0;
  for (const key in input) {
    if (abortEarly && payload.issues.length !== seen) {
      if (aborted(payload, seen))
        break;
      seen = payload.issues.length;
    }
    if (keySet.has(key))
      continue;
    if (key === "__proto__") {
      if (t === "never")
        unrecognized.push(key);
      continue;
    }
    if (t === "never") {
      unrecognized.push(key);
      continue;
    }
    const r = _catchall.run({ value: input[key], issues: [] }, ctx);
    if (r instanceof Promise) {
      proms.push(r.then((r2) => handlePropertyResult(r2, payload, key, input, optin, optout)));
    } else {
      handlePropertyResult(r, payload, key, input, optin, optout);
    }
  }
  if (unrecognized.length) {
    payload.issues.push({
      code: "unrecognized_keys",
      keys: unrecognized,
      input,
      inst,
      // Describes the shape of the input, not the validity of the parsed value, so it never aborts. The parse still fails; the schema's own checks just get to run first, and an enclosing intersection can reconcile the key against a sibling operand.
      continue: true
    });
  }
  if (!proms.length)
    return payload;
  return Promise.all(proms).then(() => {
    return payload;
  });
}
var $ZodObject = /* @__PURE__ */ $constructor("$ZodObject", (inst, def) => {
  $ZodType.init(inst, def);
  const desc = Object.getOwnPropertyDescriptor(def, "shape");
  const sh = desc?.get ? desc.get.raw : def.shape ?? {};
  if (sh) {
    const get = () => {
      const newSh = { ...sh };
      Object.defineProperty(def, "shape", { value: newSh });
      get.raw = newSh;
      return newSh;
    };
    get.raw = sh;
    Object.defineProperty(def, "shape", { get });
  }
  const _normalized = cached2(() => normalizeDef(def));
  defineLazyInternal(inst, "propValues", (zod) => {
    const shape = zod.def.shape;
    const propValues = {};
    for (const key in shape) {
      const field = shape[key]._zod;
      if (field.values) {
        if (!Object.prototype.hasOwnProperty.call(propValues, key)) {
          assignProp(propValues, key, /* @__PURE__ */ new Set());
        }
        for (const v of field.values)
          propValues[key].add(v);
        if (field.optin !== void 0)
          propValues[key].add(void 0);
      }
    }
    return propValues;
  });
  const isObject2 = isObject;
  const catchall = def.catchall;
  let value;
  const memo2 = globalConfig.memoizer;
  memo2?.attach(inst);
  inst._zod.parse = (payload, ctx) => {
    value ?? (value = _normalized.value);
    const input = payload.value;
    if (!isObject2(input)) {
      payload.issues.push({
        expected: "object",
        code: "invalid_type",
        input,
        inst
      });
      return payload;
    }
    payload.value = memo2 ? memo2.alloc(inst, payload, {}, ctx) : {};
    const proms = [];
    const shape = value.shape;
    const abortEarly = ctx?.abortEarly;
    let seen = payload.issues.length;
    for (const key of value.allKeys) {
      if (abortEarly && payload.issues.length !== seen) {
        if (aborted(payload, seen))
          break;
        seen = payload.issues.length;
      }
      if (key === "__proto__")
        continue;
      const el = shape[key];
      const optin = el._zod.optin;
      const optout = el._zod.optout;
      const r = el._zod.run({ value: input[key], issues: [] }, ctx);
      if (r instanceof Promise) {
        proms.push(r.then((r2) => handlePropertyResult(r2, payload, key, input, optin, optout)));
      } else {
        handlePropertyResult(r, payload, key, input, optin, optout);
      }
    }
    if (!catchall) {
      return proms.length ? Promise.all(proms).then(() => payload) : payload;
    }
    return handleCatchall(proms, input, payload, ctx, _normalized.value, inst, abortEarly === true);
  };
});
var $ZodObjectJIT = /* @__PURE__ */ $constructor("$ZodObjectJIT", (inst, def) => {
  $ZodObject.init(inst, def);
  const superParse = inst._zod.parse;
  const _normalized = cached2(() => normalizeDef(def));
  const memo2 = globalConfig.memoizer;
  const generateFastpass = (shape) => {
    const normalized = _normalized.value;
    const syms = normalized.symbolKeys;
    const doc = new Doc(["payload", "ctx"], { shape, inst, memo: memo2, syms });
    const parseStr = (k) => `shape[${k}]._zod.run({ value: input[${k}], issues: [] }, ctx)`;
    const prefixStr = (id, k) => `
          let ${id}_ab = false;
          for (let i = 0; i < ${id}.issues.length; i++) {
            const iss = ${id}.issues[i];
            iss.path = iss.path ? [${k}, ...iss.path] : [${k}];
            payload.issues.push(iss);
            if (iss.continue !== true) ${id}_ab = true;
          }
          if (${id}_ab && ctx && ctx.abortEarly) {
            payload.value = newResult;
            return payload;
          }`;
    doc.write(`const input = payload.value;`);
    const ids = /* @__PURE__ */ Object.create(null);
    let counter = 0;
    for (const key of normalized.allKeys) {
      ids[key] = `key_${counter++}`;
    }
    doc.write(memo2 ? `const newResult = memo.alloc(inst, payload, {}, ctx);` : `const newResult = {};`);
    for (const key of normalized.allKeys) {
      if (key === "__proto__")
        continue;
      const id = ids[key];
      const k = typeof key === "symbol" ? `syms[${syms.indexOf(key)}]` : esc(key);
      const isPresent2 = `${k} in input`;
      const schema = shape[key];
      const optin = schema?._zod?.optin;
      const isOptionalIn = optin !== void 0;
      const isOptionalOut = schema?._zod?.optout === "optional";
      doc.write(`const ${id} = ${parseStr(k)};`);
      if (isOptionalIn && isOptionalOut) {
        const assign = optin === "optional" ? `${id}_present` : `${id}.value !== undefined || ${id}_present`;
        doc.write(`
        const ${id}_present = ${isPresent2};
        if (!${id}.issues.length || ${id}_present) {
          if (${id}.issues.length) {${prefixStr(id, k)}
          }

          if (${assign}) {
            newResult[${k}] = ${id}.value;
          }
        }

      `);
      } else if (!isOptionalIn) {
        doc.write(`
        const ${id}_present = ${isPresent2};
        if (${id}.issues.length) {${prefixStr(id, k)}
        }
        if (!${id}_present && !${id}.issues.length) {
          payload.issues.push({
            code: "invalid_type",
            expected: "nonoptional",
            input: undefined,
            path: [${k}]
          });
          if (ctx && ctx.abortEarly) {
            payload.value = newResult;
            return payload;
          }
        }

        if (${id}_present) {
          newResult[${k}] = ${id}.value;
        }

      `);
      } else {
        doc.write(`
        if (${id}.issues.length) {${prefixStr(id, k)}
        }
      `);
        if (optin === "defaulted") {
          doc.write(`newResult[${k}] = ${id}.value;`);
        } else {
          doc.write(`
        if (${id}.value !== undefined || ${isPresent2}) {
          newResult[${k}] = ${id}.value;
        }
      `);
        }
      }
    }
    doc.write(`payload.value = newResult;`);
    doc.write(`return payload;`);
    return doc.compile();
  };
  let fastpass;
  const isObject2 = isObject;
  const jit = !globalConfig.jitless;
  const allowsEval2 = allowsEval;
  const fastEnabled = jit && allowsEval2.value;
  const catchall = def.catchall;
  let value;
  inst._zod.parse = (payload, ctx) => {
    value ?? (value = _normalized.value);
    const input = payload.value;
    if (!isObject2(input)) {
      payload.issues.push({
        expected: "object",
        code: "invalid_type",
        input,
        inst
      });
      return payload;
    }
    if (jit && fastEnabled && ctx?.async === false && ctx.jitless !== true) {
      if (!fastpass)
        fastpass = generateFastpass(def.shape);
      payload = fastpass(payload, ctx);
      if (!catchall)
        return payload;
      return handleCatchall([], input, payload, ctx, value, inst, ctx?.abortEarly === true);
    }
    return superParse(payload, ctx);
  };
});
function handleUnionResults(results, final, inst, ctx) {
  for (const result of results) {
    if (result.issues.length === 0) {
      final.value = result.value;
      return final;
    }
  }
  const nonaborted = results.filter((r) => !aborted(r));
  if (nonaborted.length === 1) {
    final.value = nonaborted[0].value;
    return nonaborted[0];
  }
  final.issues.push({
    code: "invalid_union",
    input: final.value,
    inst,
    errors: results.map((result) => result.issues.map((iss) => finalizeIssue(iss, ctx, config())))
  });
  return final;
}
var $ZodUnion = /* @__PURE__ */ $constructor("$ZodUnion", (inst, def) => {
  $ZodType.init(inst, def);
  defineLazyInternal(inst, "optin", (zod) => zod.def.options.some((o) => o._zod.optin === "defaulted") ? "defaulted" : zod.def.options.some((o) => o._zod.optin !== void 0) ? "optional" : void 0);
  defineLazyInternal(inst, "optout", (zod) => zod.def.options.some((o) => o._zod.optout === "optional") ? "optional" : void 0);
  defineLazyInternal(inst, "values", (zod) => {
    if (zod.def.options.every((o) => o._zod.values)) {
      return new Set(zod.def.options.flatMap((option) => Array.from(option._zod.values)));
    }
    return void 0;
  });
  defineLazyInternal(inst, "pattern", (zod) => {
    if (zod.def.options.every((o) => o._zod.pattern)) {
      const patterns = zod.def.options.map((o) => o._zod.pattern);
      return new RegExp(`^(${patterns.map((p) => cleanRegex(p.source)).join("|")})$`);
    }
    return void 0;
  });
  const first = def.options.length === 1 ? def.options[0]._zod.run : null;
  inst._zod.parse = (payload, ctx) => {
    if (first) {
      return first(payload, ctx);
    }
    let async = false;
    const results = [];
    for (const option of def.options) {
      const result = option._zod.run({
        value: payload.value,
        issues: []
      }, ctx);
      if (result instanceof Promise) {
        results.push(result);
        async = true;
      } else {
        if (result.issues.length === 0)
          return result;
        results.push(result);
      }
    }
    if (!async)
      return handleUnionResults(results, payload, inst, ctx);
    return Promise.all(results).then((results2) => {
      return handleUnionResults(results2, payload, inst, ctx);
    });
  };
});
var $ZodIntersection = /* @__PURE__ */ $constructor("$ZodIntersection", (inst, def) => {
  $ZodType.init(inst, def);
  inst._zod.parse = (payload, ctx) => {
    const input = payload.value;
    const left = def.left._zod.run({ value: input, issues: [] }, ctx);
    const right = def.right._zod.run({ value: input, issues: [] }, ctx);
    const async = left instanceof Promise || right instanceof Promise;
    if (async) {
      return Promise.all([left, right]).then(([left2, right2]) => {
        return handleIntersectionResults(payload, left2, right2);
      });
    }
    return handleIntersectionResults(payload, left, right);
  };
});
function mergeValues(a, b) {
  if (a === b) {
    return { valid: true, data: a };
  }
  if (a instanceof Date && b instanceof Date && +a === +b) {
    return { valid: true, data: a };
  }
  if (isPlainObject(a) && isPlainObject(b)) {
    const bKeys = Object.keys(b);
    const sharedKeys = Object.keys(a).filter((key) => bKeys.indexOf(key) !== -1);
    const newObj = { ...a, ...b };
    if (Object.prototype.hasOwnProperty.call(newObj, "__proto__"))
      delete newObj.__proto__;
    for (const key of sharedKeys) {
      if (key === "__proto__")
        continue;
      const sharedValue = mergeValues(a[key], b[key]);
      if (!sharedValue.valid) {
        return {
          valid: false,
          mergeErrorPath: [key, ...sharedValue.mergeErrorPath]
        };
      }
      newObj[key] = sharedValue.data;
    }
    return { valid: true, data: newObj };
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) {
      return { valid: false, mergeErrorPath: [] };
    }
    const newArray = [];
    for (let index = 0; index < a.length; index++) {
      const itemA = a[index];
      const itemB = b[index];
      const sharedValue = mergeValues(itemA, itemB);
      if (!sharedValue.valid) {
        return {
          valid: false,
          mergeErrorPath: [index, ...sharedValue.mergeErrorPath]
        };
      }
      newArray.push(sharedValue.data);
    }
    return { valid: true, data: newArray };
  }
  return { valid: false, mergeErrorPath: [] };
}
function handleIntersectionResults(result, left, right) {
  const unrecKeys = /* @__PURE__ */ new Map();
  let unrecIssue;
  const keyIssues = /* @__PURE__ */ new Map();
  const collect2 = (iss, side) => {
    let keys;
    if (iss.code === "unrecognized_keys" && !iss.path?.length) {
      unrecIssue ?? (unrecIssue = iss);
      keys = iss.keys;
    } else if (iss.code === "invalid_key" && iss.origin === "record" && iss.path?.length === 1) {
      const k = String(iss.path[0]);
      if (!keyIssues.has(k))
        keyIssues.set(k, iss);
      keys = [k];
    } else {
      return false;
    }
    for (const k of keys) {
      if (!unrecKeys.has(k))
        unrecKeys.set(k, {});
      unrecKeys.get(k)[side] = true;
    }
    return true;
  };
  for (const iss of left.issues) {
    if (!collect2(iss, "l"))
      result.issues.push(iss);
  }
  for (const iss of right.issues) {
    if (!collect2(iss, "r"))
      result.issues.push(iss);
  }
  const bothKeys = [...unrecKeys].filter(([, f]) => f.l && f.r).map(([k]) => k);
  if (bothKeys.length) {
    const aggregated = unrecIssue ? bothKeys.filter((k) => unrecIssue.keys.includes(k)) : [];
    if (aggregated.length)
      result.issues.push({ ...unrecIssue, keys: aggregated });
    for (const k of bothKeys) {
      if (!aggregated.includes(k) && keyIssues.has(k))
        result.issues.push(keyIssues.get(k));
    }
  }
  const merged = mergeValues(left.value, right.value);
  if (!merged.valid) {
    if (aborted(result))
      return result;
    throw new Error(`Unmergable intersection. Error path: ${JSON.stringify(merged.mergeErrorPath)}`);
  }
  result.value = merged.data;
  return result;
}
var $ZodRecord = /* @__PURE__ */ $constructor("$ZodRecord", (inst, def) => {
  $ZodType.init(inst, def);
  const memo2 = globalConfig.memoizer;
  memo2?.attach(inst);
  inst._zod.parse = (payload, ctx) => {
    const input = payload.value;
    if (!isPlainObject(input)) {
      payload.issues.push({
        expected: "record",
        code: "invalid_type",
        input,
        inst
      });
      return payload;
    }
    const proms = [];
    const values = def.keyType._zod.values;
    if (values && !def.partial) {
      payload.value = memo2 ? memo2.alloc(inst, payload, {}, ctx) : {};
      const recordKeys = /* @__PURE__ */ new Set();
      for (const key of values) {
        if (typeof key === "string" || typeof key === "number" || typeof key === "symbol") {
          recordKeys.add(typeof key === "number" ? key.toString() : key);
          if (key === "__proto__")
            continue;
          const keyResult = def.keyType._zod.run({ value: key, issues: [] }, ctx);
          if (keyResult instanceof Promise) {
            throw new Error("Async schemas not supported in object keys currently");
          }
          if (keyResult.issues.length) {
            payload.issues.push({
              code: "invalid_key",
              origin: "record",
              issues: keyResult.issues.map((iss) => finalizeIssue(iss, ctx, config())),
              input: key,
              path: [key],
              inst
            });
            continue;
          }
          const outKey = keyResult.value;
          if (outKey === "__proto__")
            continue;
          const result = def.valueType._zod.run({ value: input[key], issues: [] }, ctx);
          if (result instanceof Promise) {
            proms.push(result.then((result2) => {
              if (result2.issues.length) {
                payload.issues.push(...prefixIssues(key, result2.issues));
              }
              payload.value[outKey] = result2.value;
            }));
          } else {
            if (result.issues.length) {
              payload.issues.push(...prefixIssues(key, result.issues));
            }
            payload.value[outKey] = result.value;
          }
        }
      }
      let unrecognized;
      for (const key in input) {
        if (!recordKeys.has(key)) {
          if (def.mode === "loose") {
            if (key === "__proto__")
              continue;
            payload.value[key] = input[key];
          } else {
            unrecognized = unrecognized ?? [];
            unrecognized.push(key);
          }
        }
      }
      if (unrecognized && unrecognized.length > 0) {
        payload.issues.push({
          code: "unrecognized_keys",
          input,
          inst,
          keys: unrecognized,
          continue: true
        });
      }
    } else {
      payload.value = memo2 ? memo2.alloc(inst, payload, {}, ctx) : {};
      let unrecognized;
      for (const key of Reflect.ownKeys(input)) {
        if (key === "__proto__")
          continue;
        if (!Object.prototype.propertyIsEnumerable.call(input, key))
          continue;
        let keyResult = def.keyType._zod.run({ value: key, issues: [] }, ctx);
        if (keyResult instanceof Promise) {
          throw new Error("Async schemas not supported in object keys currently");
        }
        const checkNumericKey = typeof key === "string" && number.test(key) && keyResult.issues.length;
        if (checkNumericKey) {
          const retryResult = def.keyType._zod.run({ value: Number(key), issues: [] }, ctx);
          if (retryResult instanceof Promise) {
            throw new Error("Async schemas not supported in object keys currently");
          }
          if (retryResult.issues.length === 0) {
            keyResult = retryResult;
          }
        }
        if (keyResult.issues.length) {
          if (def.mode === "loose") {
            payload.value[key] = input[key];
          } else if (values) {
            unrecognized = unrecognized ?? [];
            unrecognized.push(key);
          } else {
            payload.issues.push({
              code: "invalid_key",
              origin: "record",
              issues: keyResult.issues.map((iss) => finalizeIssue(iss, ctx, config())),
              input: key,
              path: [key],
              inst
            });
          }
          continue;
        }
        const outKey = keyResult.value;
        if (outKey === "__proto__")
          continue;
        const result = def.valueType._zod.run({ value: input[key], issues: [] }, ctx);
        if (result instanceof Promise) {
          proms.push(result.then((result2) => {
            if (result2.issues.length) {
              payload.issues.push(...prefixIssues(key, result2.issues));
            }
            payload.value[outKey] = result2.value;
          }));
        } else {
          if (result.issues.length) {
            payload.issues.push(...prefixIssues(key, result.issues));
          }
          payload.value[outKey] = result.value;
        }
      }
      if (unrecognized && unrecognized.length > 0) {
        payload.issues.push({
          code: "unrecognized_keys",
          input,
          inst,
          keys: unrecognized,
          continue: true
        });
      }
    }
    if (proms.length) {
      return Promise.all(proms).then(() => payload);
    }
    return payload;
  };
});
var $ZodEnum = /* @__PURE__ */ $constructor("$ZodEnum", (inst, def) => {
  $ZodType.init(inst, def);
  const values = getEnumValues(def.entries);
  const valuesSet = new Set(values);
  inst._zod.values = valuesSet;
  defineLazyInternal(inst, "pattern", (zod) => {
    const patternValues = getEnumValues(zod.def.entries).filter((k) => propertyKeyTypes.has(typeof k));
    return new RegExp(patternValues.length ? `^(${patternValues.map((o) => escapeRegex(o.toString())).join("|")})$` : "^[^\\s\\S]$");
  });
  inst._zod.parse = (payload, _ctx) => {
    const input = payload.value;
    if (valuesSet.has(input)) {
      return payload;
    }
    payload.issues.push({
      code: "invalid_value",
      values,
      input,
      inst
    });
    return payload;
  };
});
var $ZodTransform = /* @__PURE__ */ $constructor("$ZodTransform", (inst, def) => {
  $ZodType.init(inst, def);
  inst._zod.optin = "optional";
  globalConfig.memoizer?.guard(inst);
  inst._zod.parse = (payload, ctx) => {
    if (ctx.direction === "backward") {
      throw new $ZodEncodeError(inst.constructor.name);
    }
    const _out = def.transform(payload.value, payload);
    if (ctx.async) {
      const output = _out instanceof Promise ? _out : Promise.resolve(_out);
      return output.then((output2) => {
        payload.value = output2;
        return payload;
      });
    }
    if (_out instanceof Promise) {
      throw new $ZodAsyncError();
    }
    payload.value = _out;
    return payload;
  };
});
function handleOptionalResult(payload, result) {
  payload.value = result.issues.length ? void 0 : result.value;
  return payload;
}
var $ZodOptional = /* @__PURE__ */ $constructor("$ZodOptional", (inst, def) => {
  $ZodType.init(inst, def);
  defineLazyInternal(inst, "optin", (zod) => zod.def.innerType._zod.optin === "defaulted" ? "defaulted" : "optional");
  inst._zod.optout = "optional";
  defineLazyInternal(inst, "values", (zod) => {
    const values = zod.def.innerType._zod.values;
    return values ? /* @__PURE__ */ new Set([...values, void 0]) : void 0;
  });
  defineLazyInternal(inst, "pattern", (zod) => {
    const pattern = zod.def.innerType._zod.pattern;
    return pattern ? new RegExp(`^(${cleanRegex(pattern.source)})?$`) : void 0;
  });
  inst._zod.parse = (payload, ctx) => {
    if (payload.value === void 0) {
      if (def.innerType._zod.optin !== "defaulted")
        return payload;
      const result = def.innerType._zod.run({ value: payload.value, issues: [] }, ctx);
      if (result instanceof Promise)
        return result.then((result2) => handleOptionalResult(payload, result2));
      return handleOptionalResult(payload, result);
    }
    return def.innerType._zod.run(payload, ctx);
  };
});
var $ZodExactOptional = /* @__PURE__ */ $constructor("$ZodExactOptional", (inst, def) => {
  $ZodOptional.init(inst, def);
  defineLazyInternal(inst, "values", (zod) => zod.def.innerType._zod.values);
  defineLazyInternal(inst, "pattern", (zod) => zod.def.innerType._zod.pattern);
  inst._zod.parse = (payload, ctx) => {
    return def.innerType._zod.run(payload, ctx);
  };
});
var $ZodNullable = /* @__PURE__ */ $constructor("$ZodNullable", (inst, def) => {
  $ZodType.init(inst, def);
  defineLazyInternal(inst, "optin", (zod) => zod.def.innerType._zod.optin);
  defineLazyInternal(inst, "optout", (zod) => zod.def.innerType._zod.optout);
  defineLazyInternal(inst, "pattern", (zod) => {
    const pattern = zod.def.innerType._zod.pattern;
    return pattern ? new RegExp(`^(${cleanRegex(pattern.source)}|null)$`) : void 0;
  });
  defineLazyInternal(inst, "values", (zod) => {
    return zod.def.innerType._zod.values ? /* @__PURE__ */ new Set([...zod.def.innerType._zod.values, null]) : void 0;
  });
  inst._zod.parse = (payload, ctx) => {
    if (payload.value === null)
      return payload;
    return def.innerType._zod.run(payload, ctx);
  };
});
var $ZodDefault = /* @__PURE__ */ $constructor("$ZodDefault", (inst, def) => {
  $ZodType.init(inst, def);
  inst._zod.optin = "defaulted";
  defineLazyInternal(inst, "values", (zod) => zod.def.innerType._zod.values);
  inst._zod.parse = (payload, ctx) => {
    if (ctx.direction === "backward") {
      return def.innerType._zod.run(payload, ctx);
    }
    if (payload.value === void 0) {
      payload.value = def.defaultValue;
      return payload;
    }
    const result = def.innerType._zod.run(payload, ctx);
    if (result instanceof Promise) {
      return result.then((result2) => handleDefaultResult(result2, def));
    }
    return handleDefaultResult(result, def);
  };
});
function handleDefaultResult(payload, def) {
  if (payload.value === void 0) {
    payload.value = def.defaultValue;
  }
  return payload;
}
var $ZodPrefault = /* @__PURE__ */ $constructor("$ZodPrefault", (inst, def) => {
  $ZodType.init(inst, def);
  inst._zod.optin = "defaulted";
  defineLazyInternal(inst, "values", (zod) => zod.def.innerType._zod.values);
  inst._zod.parse = (payload, ctx) => {
    if (ctx.direction === "backward") {
      return def.innerType._zod.run(payload, ctx);
    }
    if (payload.value === void 0) {
      payload.value = def.defaultValue;
    }
    return def.innerType._zod.run(payload, ctx);
  };
});
var $ZodNonOptional = /* @__PURE__ */ $constructor("$ZodNonOptional", (inst, def) => {
  $ZodType.init(inst, def);
  defineLazyInternal(inst, "values", (zod) => {
    const v = zod.def.innerType._zod.values;
    return v ? new Set([...v].filter((x) => x !== void 0)) : void 0;
  });
  inst._zod.parse = (payload, ctx) => {
    const result = def.innerType._zod.run(payload, ctx);
    if (result instanceof Promise) {
      return result.then((result2) => handleNonOptionalResult(result2, inst));
    }
    return handleNonOptionalResult(result, inst);
  };
});
function handleNonOptionalResult(payload, inst) {
  if (!payload.issues.length && payload.value === void 0) {
    payload.issues.push({
      code: "invalid_type",
      expected: "nonoptional",
      input: payload.value,
      inst
    });
  }
  return payload;
}
function handleCatchResult(payload, result, def, ctx) {
  if (!result.issues.length) {
    payload.value = result.value;
    if (result.memo)
      payload.memo = true;
    return payload;
  }
  payload.value = def.catchValue({
    ...result,
    value: payload.value,
    error: {
      issues: result.issues.map((iss) => finalizeIssue(iss, ctx, config()))
    },
    input: payload.value
  });
  return payload;
}
var $ZodCatch = /* @__PURE__ */ $constructor("$ZodCatch", (inst, def) => {
  $ZodType.init(inst, def);
  defineLazyInternal(inst, "optin", (zod) => zod.def.innerType._zod.optin === "defaulted" ? "defaulted" : "optional");
  defineLazyInternal(inst, "optout", (zod) => zod.def.innerType._zod.optout);
  defineLazyInternal(inst, "values", (zod) => zod.def.innerType._zod.values);
  inst._zod.parse = (payload, ctx) => {
    if (ctx.direction === "backward") {
      return def.innerType._zod.run(payload, ctx);
    }
    const result = def.innerType._zod.run({ value: payload.value, issues: [] }, ctx);
    if (result instanceof Promise) {
      return result.then((result2) => handleCatchResult(payload, result2, def, ctx));
    }
    return handleCatchResult(payload, result, def, ctx);
  };
});
var $ZodPipe = /* @__PURE__ */ $constructor("$ZodPipe", (inst, def) => {
  $ZodType.init(inst, def);
  defineLazyInternal(inst, "values", (zod) => zod.def.in._zod.values);
  defineLazyInternal(inst, "optin", (zod) => zod.def.in._zod.optin);
  defineLazyInternal(inst, "optout", (zod) => zod.def.out._zod.optout);
  defineLazyInternal(inst, "propValues", (zod) => zod.def.in._zod.propValues);
  inst._zod.parse = (payload, ctx) => {
    if (ctx.direction === "backward") {
      const right = def.out._zod.run(payload, ctx);
      if (right instanceof Promise) {
        return right.then((right2) => handlePipeResult(right2, def.in, ctx));
      }
      return handlePipeResult(right, def.in, ctx);
    }
    const left = def.in._zod.run(payload, ctx);
    if (left instanceof Promise) {
      return left.then((left2) => handlePipeResult(left2, def.out, ctx));
    }
    return handlePipeResult(left, def.out, ctx);
  };
});
function handlePipeResult(left, next, ctx) {
  if (left.issues.some((iss) => iss.code !== "unrecognized_keys")) {
    left.aborted = true;
    return left;
  }
  return next._zod.run({ value: left.value, issues: left.issues }, ctx);
}
var $ZodReadonly = /* @__PURE__ */ $constructor("$ZodReadonly", (inst, def) => {
  $ZodType.init(inst, def);
  defineLazyInternal(inst, "propValues", (zod) => zod.def.innerType._zod.propValues);
  defineLazyInternal(inst, "values", (zod) => zod.def.innerType._zod.values);
  defineLazyInternal(inst, "optin", (zod) => zod.def.innerType?._zod?.optin);
  defineLazyInternal(inst, "optout", (zod) => zod.def.innerType?._zod?.optout);
  inst._zod.parse = (payload, ctx) => {
    if (ctx.direction === "backward") {
      return def.innerType._zod.run(payload, ctx);
    }
    const result = def.innerType._zod.run(payload, ctx);
    if (result instanceof Promise) {
      return result.then(handleReadonlyResult);
    }
    return handleReadonlyResult(result);
  };
});
function handleReadonlyResult(payload) {
  if (!payload.memo)
    payload.value = Object.freeze(payload.value);
  return payload;
}
var $ZodCustom = /* @__PURE__ */ $constructor("$ZodCustom", (inst, def) => {
  $ZodCheck.init(inst, def);
  $ZodType.init(inst, def);
  inst._zod.parse = (payload, _) => {
    return payload;
  };
  inst._zod.check = (payload) => {
    const input = payload.value;
    const r = def.fn(input);
    if (r instanceof Promise) {
      return r.then((r2) => handleRefineResult(r2, payload, input, inst));
    }
    handleRefineResult(r, payload, input, inst);
    return;
  };
});
function handleRefineResult(result, payload, input, inst) {
  if (!result) {
    const _iss = {
      code: "custom",
      input,
      inst,
      // incorporates params.error into issue reporting
      path: [...inst._zod.def.path ?? []],
      // incorporates params.error into issue reporting
      continue: !inst._zod.def.abort
      // params: inst._zod.def.params,
    };
    if (inst._zod.def.params)
      _iss.params = inst._zod.def.params;
    payload.issues.push(issue(_iss));
  }
}

// node_modules/zod/v4/core/memoizer.js
var $ZodCyclicError = class extends Error {
  constructor() {
    super(`Cannot parse a reference cycle that closes through a transform`);
    this.name = "ZodCyclicError";
  }
};
var STATE2 = "~memo";
var NO_ISSUES = [];
function isRef(value) {
  return value !== null && typeof value === "object";
}
function cloneIssues(issues) {
  return issues.map((iss) => iss.path ? { ...iss, path: iss.path.slice() } : { ...iss });
}
var recursive = /* @__PURE__ */ new WeakMap();
var NONE = 0;
var ASSUMED = 1;
var PROVEN = 2;
function isRecursive(inst, stack, resolve) {
  const cached3 = recursive.get(inst);
  if (cached3 !== void 0)
    return cached3 ? PROVEN : NONE;
  if (stack.has(inst))
    return PROVEN;
  stack.add(inst);
  let result = NONE;
  const check = (child) => {
    if (result !== PROVEN && child?._zod) {
      const answer = isRecursive(child, stack, resolve);
      if (answer > result)
        result = answer;
    }
  };
  const shape = (sh, spread) => {
    let answer = NONE;
    for (const key of Reflect.ownKeys(sh)) {
      const desc = Object.getOwnPropertyDescriptor(sh, key);
      if (spread && !desc.enumerable)
        continue;
      const child = desc.get ? ASSUMED : desc.value?._zod ? isRecursive(desc.value, stack, resolve) : NONE;
      if (child > answer)
        answer = child;
    }
    return answer;
  };
  const merge2 = (answer) => {
    if (answer > result)
      result = answer;
  };
  const def = inst._zod.def;
  const kind = def.type;
  switch (kind) {
    case "object": {
      const raw = rawShape(def);
      merge2(raw ? shape(raw, true) : ASSUMED);
      check(def.catchall);
      break;
    }
    case "array":
      check(def.element);
      break;
    case "tuple":
      for (const el of def.items)
        check(el);
      check(def.rest);
      break;
    case "record":
    case "map":
      check(def.keyType);
      check(def.valueType);
      break;
    case "set":
      check(def.valueType);
      break;
    case "union":
      for (const el of def.options)
        check(el);
      break;
    case "intersection":
      check(def.left);
      check(def.right);
      break;
    case "optional":
    case "nullable":
    case "default":
    case "prefault":
    case "catch":
    case "readonly":
    case "nonoptional":
    case "promise":
    case "success":
      check(def.innerType);
      break;
    case "pipe":
      check(def.in);
      check(def.out);
      break;
    case "function":
      check(def.input);
      check(def.output);
      break;
    // `$ZodLazy` caches its inner on the def, so a resolved edge is followed exactly
    case "lazy": {
      const inner = def._cachedInner ?? (resolve ? inst._zod.innerType : void 0);
      merge2(inner ? isRecursive(inner, stack, false) : ASSUMED);
      break;
    }
    // a leaf by choice: `parts` are regex fragments, not data positions
    case "template_literal":
    // leaves
    case "string":
    case "number":
    case "int":
    case "boolean":
    case "bigint":
    case "symbol":
    case "undefined":
    case "null":
    case "void":
    case "never":
    case "any":
    case "unknown":
    case "date":
    case "nan":
    case "enum":
    case "literal":
    case "file":
    case "transform":
    case "custom":
      break;
    default: {
      kind;
      for (const key in def) {
        const desc = Object.getOwnPropertyDescriptor(def, key);
        if (!desc || desc.get)
          continue;
        const value = desc.value;
        if (!value || typeof value !== "object")
          continue;
        if (value._zod)
          check(value);
        else if (Array.isArray(value))
          for (const el of value)
            check(el);
      }
    }
  }
  stack.delete(inst);
  return settle(inst, result);
}
function settle(inst, answer) {
  if (answer !== ASSUMED)
    recursive.set(inst, answer === PROVEN);
  return answer;
}
function bucketFor(state, inst) {
  let bucket = state.buckets.get(inst);
  if (!bucket) {
    bucket = /* @__PURE__ */ new WeakMap();
    state.buckets.set(inst, bucket);
  }
  return bucket;
}
var handoff;
var open = [];
var memo = {
  alloc(_inst, payload, empty) {
    const bucket = handoff;
    if (!bucket)
      return empty;
    handoff = void 0;
    const entry = { value: empty, issues: null };
    bucket.set(payload.value, entry);
    open.push(entry);
    return empty;
  },
  guard(inst) {
    var _a3;
    (_a3 = inst._zod).deferred ?? (_a3.deferred = []);
    inst._zod.deferred.push(() => {
      const base = inst._zod.parse;
      const wrapped = (payload, ctx) => {
        if (ctx.direction !== "backward" && isBackEdge(ctx, payload.value))
          throw new $ZodCyclicError();
        return base(payload, ctx);
      };
      inst._zod.parse = wrapped;
      if (inst._zod.run === base)
        inst._zod.run = wrapped;
    });
  },
  attach(inst) {
    var _a3;
    let isRecursiveInst;
    let rechecked = false;
    let lastCtx;
    let lastBucket;
    (_a3 = inst._zod).deferred ?? (_a3.deferred = []);
    inst._zod.deferred.push(() => {
      const base = inst._zod.parse;
      const wrapped = (payload, ctx) => {
        if (isRecursiveInst === void 0) {
          const walked = isRecursive(inst, /* @__PURE__ */ new Set(), false);
          if (walked === NONE) {
            inst._zod.parse = base;
            if (inst._zod.run === wrapped)
              inst._zod.run = base;
            return base(payload, ctx);
          }
          if (walked === PROVEN || rechecked)
            isRecursiveInst = true;
          else
            rechecked = true;
        }
        const input = payload.value;
        if (!isRef(input))
          return base(payload, ctx);
        let state = ctx[STATE2];
        if (!state) {
          state = { buckets: /* @__PURE__ */ new WeakMap(), backEdges: void 0 };
          ctx[STATE2] = state;
        }
        let bucket;
        if (lastCtx === ctx) {
          bucket = lastBucket;
        } else {
          bucket = bucketFor(state, inst);
          lastCtx = ctx;
          lastBucket = bucket;
        }
        const hit = bucket.get(input);
        if (hit) {
          payload.value = hit.value;
          if (hit.issues) {
            if (hit.issues.length)
              payload.issues.push(...cloneIssues(hit.issues));
          } else {
            payload.memo = true;
            state.backEdges ?? (state.backEdges = /* @__PURE__ */ new WeakSet());
            state.backEdges.add(hit.value);
          }
          return payload;
        }
        handoff = bucket;
        const depth = open.length;
        const result = base(payload, ctx);
        handoff = void 0;
        const entry = open.length > depth ? open.pop() : void 0;
        if (result instanceof Promise) {
          return result.then((r) => {
            if (entry)
              entry.issues = r.issues.length ? cloneIssues(r.issues) : NO_ISSUES;
            return r;
          });
        }
        if (entry)
          entry.issues = result.issues.length ? cloneIssues(result.issues) : NO_ISSUES;
        return result;
      };
      inst._zod.parse = wrapped;
      if (inst._zod.run === base)
        inst._zod.run = wrapped;
    });
  }
};
function memoizer() {
  return memo;
}
function isBackEdge(ctx, value) {
  const backEdges = ctx[STATE2]?.backEdges;
  return backEdges !== void 0 && isRef(value) && backEdges.has(value);
}

// node_modules/zod/v4/locales/en.js
var error = () => {
  const Sizable = {
    string: { unit: "characters", verb: "to have" },
    file: { unit: "bytes", verb: "to have" },
    array: { unit: "items", verb: "to have" },
    set: { unit: "items", verb: "to have" },
    map: { unit: "entries", verb: "to have" }
  };
  function getSizing(origin) {
    return Sizable[origin] ?? null;
  }
  const FormatDictionary = {
    regex: "input",
    email: "email address",
    url: "URL",
    emoji: "emoji",
    uuid: "UUID",
    uuidv4: "UUIDv4",
    uuidv6: "UUIDv6",
    nanoid: "nanoid",
    guid: "GUID",
    cuid: "cuid",
    cuid2: "cuid2",
    ulid: "ULID",
    xid: "XID",
    ksuid: "KSUID",
    datetime: "ISO datetime",
    date: "ISO date",
    time: "ISO time",
    duration: "ISO duration",
    ipv4: "IPv4 address",
    ipv6: "IPv6 address",
    mac: "MAC address",
    cidrv4: "IPv4 range",
    cidrv6: "IPv6 range",
    base64: "base64-encoded string",
    base64url: "base64url-encoded string",
    json_string: "JSON string",
    e164: "E.164 number",
    currency_code: "currency code",
    credit_card: "credit card number",
    iban: "IBAN",
    jwt: "JWT",
    template_literal: "input"
  };
  const TypeDictionary = {
    // Compatibility: "nan" -> "NaN" for display
    nan: "NaN"
    // All other type names omitted - they fall back to raw values via ?? operator
  };
  function getTypeName(type, input) {
    if (type === "number" && typeof input === "number" && !Number.isFinite(input)) {
      return String(input);
    }
    return TypeDictionary[type] ?? type;
  }
  return (issue2) => {
    switch (issue2.code) {
      case "invalid_type": {
        const expected = getTypeName(issue2.expected);
        const receivedType = parsedType(issue2.input);
        const received = getTypeName(receivedType, issue2.input);
        return `Invalid input: expected ${expected}, received ${received}`;
      }
      case "invalid_value":
        if (issue2.values.length === 1)
          return `Invalid input: expected ${stringifyPrimitive(issue2.values[0])}`;
        return `Invalid option: expected one of ${joinValues(issue2.values, "|")}`;
      case "too_big": {
        const adj = issue2.exact ? "exactly " : issue2.inclusive ? "<=" : "<";
        const sizing = getSizing(issue2.origin);
        if (sizing)
          return `Too big: expected ${issue2.origin ?? "value"} to have ${adj}${issue2.maximum.toString()} ${sizing.unit ?? "elements"}`;
        return `Too big: expected ${issue2.origin ?? "value"} to be ${adj}${issue2.maximum.toString()}`;
      }
      case "too_small": {
        const adj = issue2.exact ? "exactly " : issue2.inclusive ? ">=" : ">";
        const sizing = getSizing(issue2.origin);
        if (sizing) {
          return `Too small: expected ${issue2.origin} to have ${adj}${issue2.minimum.toString()} ${sizing.unit}`;
        }
        return `Too small: expected ${issue2.origin} to be ${adj}${issue2.minimum.toString()}`;
      }
      case "invalid_format": {
        const _issue = issue2;
        if (_issue.format === "starts_with") {
          return `Invalid string: must start with "${_issue.prefix}"`;
        }
        if (_issue.format === "ends_with")
          return `Invalid string: must end with "${_issue.suffix}"`;
        if (_issue.format === "includes")
          return `Invalid string: must include "${_issue.includes}"`;
        if (_issue.format === "regex")
          return `Invalid string: must match pattern ${_issue.pattern}`;
        return `Invalid ${FormatDictionary[_issue.format] ?? issue2.format}`;
      }
      case "not_multiple_of":
        return `Invalid number: must be a multiple of ${issue2.divisor}`;
      case "unrecognized_keys":
        return `Unrecognized key${issue2.keys.length > 1 ? "s" : ""}: ${joinValues(issue2.keys, ", ")}`;
      case "invalid_key":
        return `Invalid key in ${issue2.origin}`;
      case "invalid_union":
        if (issue2.options && Array.isArray(issue2.options) && issue2.options.length > 0) {
          const opts = issue2.options.map((o) => `'${o}'`).join(" | ");
          return `Invalid discriminator value. Expected ${opts}`;
        }
        if (issue2.inclusive === false) {
          return "Invalid input: more than one option matched";
        }
        return "Invalid input";
      case "invalid_element":
        return `Invalid value in ${issue2.origin}`;
      default:
        return `Invalid input`;
    }
  };
};
function en_default() {
  return {
    localeError: error()
  };
}

// node_modules/zod/v4/core/registries.js
var _a2;
var $ZodRegistry = class {
  constructor() {
    this._map = /* @__PURE__ */ new WeakMap();
    this._idmap = /* @__PURE__ */ new Map();
  }
  add(schema, ..._meta) {
    const meta2 = _meta[0];
    this._map.set(schema, meta2);
    if (meta2 && typeof meta2 === "object" && "id" in meta2) {
      this._idmap.set(meta2.id, schema);
    }
    return this;
  }
  clear() {
    this._map = /* @__PURE__ */ new WeakMap();
    this._idmap = /* @__PURE__ */ new Map();
    return this;
  }
  remove(schema) {
    const meta2 = this._map.get(schema);
    if (meta2 && typeof meta2 === "object" && "id" in meta2) {
      this._idmap.delete(meta2.id);
    }
    this._map.delete(schema);
    return this;
  }
  get(schema) {
    const p = schema._zod.parent;
    if (p) {
      const pm = { ...this.get(p) ?? {} };
      delete pm.id;
      const f = { ...pm, ...this._map.get(schema) };
      return Object.keys(f).length ? f : void 0;
    }
    return this._map.get(schema);
  }
  has(schema) {
    return this._map.has(schema);
  }
};
function registry() {
  return new $ZodRegistry();
}
(_a2 = globalThis).__zod_globalRegistry ?? (_a2.__zod_globalRegistry = registry());
var globalRegistry = globalThis.__zod_globalRegistry;

// node_modules/zod/v4/core/api.js
function snapshotChecks(def) {
  if (def.checks)
    def.checks = [...def.checks];
  return def;
}
// @__NO_SIDE_EFFECTS__
function _string(Class2, params) {
  return new Class2(snapshotChecks({ type: "string", ...normalizeParams(params) }));
}
// @__NO_SIDE_EFFECTS__
function _email(Class2, params) {
  return new Class2({
    type: "string",
    format: "email",
    check: "string_format",
    abort: false,
    ...normalizeParams(params)
  });
}
// @__NO_SIDE_EFFECTS__
function _guid(Class2, params) {
  return new Class2({
    type: "string",
    format: "guid",
    check: "string_format",
    abort: false,
    ...normalizeParams(params)
  });
}
// @__NO_SIDE_EFFECTS__
function _uuid(Class2, params) {
  return new Class2({
    type: "string",
    format: "uuid",
    check: "string_format",
    abort: false,
    ...normalizeParams(params)
  });
}
// @__NO_SIDE_EFFECTS__
function _uuidv4(Class2, params) {
  return new Class2({
    type: "string",
    format: "uuid",
    check: "string_format",
    abort: false,
    version: "v4",
    ...normalizeParams(params)
  });
}
// @__NO_SIDE_EFFECTS__
function _uuidv6(Class2, params) {
  return new Class2({
    type: "string",
    format: "uuid",
    check: "string_format",
    abort: false,
    version: "v6",
    ...normalizeParams(params)
  });
}
// @__NO_SIDE_EFFECTS__
function _uuidv7(Class2, params) {
  return new Class2({
    type: "string",
    format: "uuid",
    check: "string_format",
    abort: false,
    version: "v7",
    ...normalizeParams(params)
  });
}
// @__NO_SIDE_EFFECTS__
function _url(Class2, params) {
  return new Class2({
    type: "string",
    format: "url",
    check: "string_format",
    abort: false,
    ...normalizeParams(params)
  });
}
// @__NO_SIDE_EFFECTS__
function _emoji2(Class2, params) {
  return new Class2({
    type: "string",
    format: "emoji",
    check: "string_format",
    abort: false,
    ...normalizeParams(params)
  });
}
// @__NO_SIDE_EFFECTS__
function _nanoid(Class2, params) {
  return new Class2({
    type: "string",
    format: "nanoid",
    check: "string_format",
    abort: false,
    ...normalizeParams(params)
  });
}
// @__NO_SIDE_EFFECTS__
function _cuid(Class2, params) {
  return new Class2({
    type: "string",
    format: "cuid",
    check: "string_format",
    abort: false,
    ...normalizeParams(params)
  });
}
// @__NO_SIDE_EFFECTS__
function _cuid2(Class2, params) {
  return new Class2({
    type: "string",
    format: "cuid2",
    check: "string_format",
    abort: false,
    ...normalizeParams(params)
  });
}
// @__NO_SIDE_EFFECTS__
function _ulid(Class2, params) {
  return new Class2({
    type: "string",
    format: "ulid",
    check: "string_format",
    abort: false,
    ...normalizeParams(params)
  });
}
// @__NO_SIDE_EFFECTS__
function _xid(Class2, params) {
  return new Class2({
    type: "string",
    format: "xid",
    check: "string_format",
    abort: false,
    ...normalizeParams(params)
  });
}
// @__NO_SIDE_EFFECTS__
function _ksuid(Class2, params) {
  return new Class2({
    type: "string",
    format: "ksuid",
    check: "string_format",
    abort: false,
    ...normalizeParams(params)
  });
}
// @__NO_SIDE_EFFECTS__
function _ipv4(Class2, params) {
  return new Class2({
    type: "string",
    format: "ipv4",
    check: "string_format",
    abort: false,
    ...normalizeParams(params)
  });
}
// @__NO_SIDE_EFFECTS__
function _ipv6(Class2, params) {
  return new Class2({
    type: "string",
    format: "ipv6",
    check: "string_format",
    abort: false,
    ...normalizeParams(params)
  });
}
// @__NO_SIDE_EFFECTS__
function _cidrv4(Class2, params) {
  return new Class2({
    type: "string",
    format: "cidrv4",
    check: "string_format",
    abort: false,
    ...normalizeParams(params)
  });
}
// @__NO_SIDE_EFFECTS__
function _cidrv6(Class2, params) {
  return new Class2({
    type: "string",
    format: "cidrv6",
    check: "string_format",
    abort: false,
    ...normalizeParams(params)
  });
}
// @__NO_SIDE_EFFECTS__
function _base64(Class2, params) {
  return new Class2({
    type: "string",
    format: "base64",
    check: "string_format",
    abort: false,
    ...normalizeParams(params)
  });
}
// @__NO_SIDE_EFFECTS__
function _base64url(Class2, params) {
  return new Class2({
    type: "string",
    format: "base64url",
    check: "string_format",
    abort: false,
    ...normalizeParams(params)
  });
}
// @__NO_SIDE_EFFECTS__
function _e164(Class2, params) {
  return new Class2({
    type: "string",
    format: "e164",
    check: "string_format",
    abort: false,
    ...normalizeParams(params)
  });
}
// @__NO_SIDE_EFFECTS__
function _jwt(Class2, params) {
  return new Class2({
    type: "string",
    format: "jwt",
    check: "string_format",
    abort: false,
    ...normalizeParams(params)
  });
}
// @__NO_SIDE_EFFECTS__
function _isoDateTime(Class2, params) {
  return new Class2({
    type: "string",
    format: "datetime",
    check: "string_format",
    offset: false,
    local: false,
    precision: null,
    ...normalizeParams(params)
  });
}
// @__NO_SIDE_EFFECTS__
function _isoDate(Class2, params) {
  return new Class2({
    type: "string",
    format: "date",
    check: "string_format",
    ...normalizeParams(params)
  });
}
// @__NO_SIDE_EFFECTS__
function _isoTime(Class2, params) {
  return new Class2({
    type: "string",
    format: "time",
    check: "string_format",
    precision: null,
    ...normalizeParams(params)
  });
}
// @__NO_SIDE_EFFECTS__
function _isoDuration(Class2, params) {
  return new Class2({
    type: "string",
    format: "duration",
    check: "string_format",
    ...normalizeParams(params)
  });
}
// @__NO_SIDE_EFFECTS__
function _number(Class2, params) {
  return new Class2(snapshotChecks({ type: "number", checks: [], ...normalizeParams(params) }));
}
// @__NO_SIDE_EFFECTS__
function _int(Class2, params) {
  return new Class2({
    type: "number",
    check: "number_format",
    abort: false,
    format: "safeint",
    ...normalizeParams(params)
  });
}
// @__NO_SIDE_EFFECTS__
function _boolean(Class2, params) {
  return new Class2({
    type: "boolean",
    ...normalizeParams(params)
  });
}
// @__NO_SIDE_EFFECTS__
function _unknown(Class2) {
  return new Class2({
    type: "unknown"
  });
}
// @__NO_SIDE_EFFECTS__
function _never(Class2, params) {
  return new Class2({
    type: "never",
    ...normalizeParams(params)
  });
}
// @__NO_SIDE_EFFECTS__
function _lt(value, params) {
  return new $ZodCheckLessThan({
    check: "less_than",
    ...normalizeParams(params),
    value,
    inclusive: false
  });
}
// @__NO_SIDE_EFFECTS__
function _lte(value, params) {
  return new $ZodCheckLessThan({
    check: "less_than",
    ...normalizeParams(params),
    value,
    inclusive: true
  });
}
// @__NO_SIDE_EFFECTS__
function _gt(value, params) {
  return new $ZodCheckGreaterThan({
    check: "greater_than",
    ...normalizeParams(params),
    value,
    inclusive: false
  });
}
// @__NO_SIDE_EFFECTS__
function _gte(value, params) {
  return new $ZodCheckGreaterThan({
    check: "greater_than",
    ...normalizeParams(params),
    value,
    inclusive: true
  });
}
// @__NO_SIDE_EFFECTS__
function _multipleOf(value, params) {
  return new $ZodCheckMultipleOf({
    check: "multiple_of",
    ...normalizeParams(params),
    value
  });
}
// @__NO_SIDE_EFFECTS__
function _maxLength(maximum, params) {
  const ch = new $ZodCheckMaxLength({
    check: "max_length",
    ...normalizeParams(params),
    maximum
  });
  return ch;
}
// @__NO_SIDE_EFFECTS__
function _minLength(minimum, params) {
  return new $ZodCheckMinLength({
    check: "min_length",
    ...normalizeParams(params),
    minimum
  });
}
// @__NO_SIDE_EFFECTS__
function _length(length, params) {
  return new $ZodCheckLengthEquals({
    check: "length_equals",
    ...normalizeParams(params),
    length
  });
}
// @__NO_SIDE_EFFECTS__
function _regex(pattern, params) {
  return new $ZodCheckRegex({
    check: "string_format",
    format: "regex",
    ...normalizeParams(params),
    pattern
  });
}
// @__NO_SIDE_EFFECTS__
function _lowercase(params) {
  return new $ZodCheckLowerCase({
    check: "string_format",
    format: "lowercase",
    ...normalizeParams(params)
  });
}
// @__NO_SIDE_EFFECTS__
function _uppercase(params) {
  return new $ZodCheckUpperCase({
    check: "string_format",
    format: "uppercase",
    ...normalizeParams(params)
  });
}
// @__NO_SIDE_EFFECTS__
function _includes(includes, params) {
  return new $ZodCheckIncludes({
    check: "string_format",
    format: "includes",
    ...normalizeParams(params),
    includes
  });
}
// @__NO_SIDE_EFFECTS__
function _startsWith(prefix, params) {
  return new $ZodCheckStartsWith({
    check: "string_format",
    format: "starts_with",
    ...normalizeParams(params),
    prefix
  });
}
// @__NO_SIDE_EFFECTS__
function _endsWith(suffix, params) {
  return new $ZodCheckEndsWith({
    check: "string_format",
    format: "ends_with",
    ...normalizeParams(params),
    suffix
  });
}
// @__NO_SIDE_EFFECTS__
function _overwrite(tx) {
  return new $ZodCheckOverwrite({
    check: "overwrite",
    tx
  });
}
// @__NO_SIDE_EFFECTS__
function _normalize(form) {
  return /* @__PURE__ */ _overwrite((input) => input.normalize(form));
}
// @__NO_SIDE_EFFECTS__
function _trim() {
  return /* @__PURE__ */ _overwrite((input) => input.trim());
}
// @__NO_SIDE_EFFECTS__
function _toLowerCase() {
  return /* @__PURE__ */ _overwrite((input) => input.toLowerCase());
}
// @__NO_SIDE_EFFECTS__
function _toUpperCase() {
  return /* @__PURE__ */ _overwrite((input) => input.toUpperCase());
}
// @__NO_SIDE_EFFECTS__
function _slugify() {
  return /* @__PURE__ */ _overwrite((input) => slugify(input));
}
// @__NO_SIDE_EFFECTS__
function _array(Class2, element, params) {
  return new Class2({
    type: "array",
    element,
    // get element() {
    //   return element;
    // },
    ...normalizeParams(params)
  });
}
// @__NO_SIDE_EFFECTS__
function _refine(Class2, fn, _params) {
  const schema = new Class2({
    type: "custom",
    check: "custom",
    fn,
    ...normalizeParams(_params)
  });
  return schema;
}
// @__NO_SIDE_EFFECTS__
function _superRefine(fn, params) {
  const ch = /* @__PURE__ */ _check((payload) => {
    payload.addIssue = (issue2) => {
      if (typeof issue2 === "string") {
        payload.issues.push(issue(issue2, payload.value, ch._zod.def));
      } else {
        const _issue = issue2;
        if (_issue.fatal)
          _issue.continue = false;
        _issue.code ?? (_issue.code = "custom");
        if (!("input" in _issue))
          _issue.input = payload.value;
        _issue.inst ?? (_issue.inst = ch);
        _issue.continue ?? (_issue.continue = !ch._zod.def.abort);
        payload.issues.push(issue(_issue));
      }
    };
    return fn(payload.value, payload);
  }, params);
  return ch;
}
// @__NO_SIDE_EFFECTS__
function _check(fn, params) {
  const ch = new $ZodCheck({
    check: "custom",
    ...normalizeParams(params)
  });
  ch._zod.check = fn;
  return ch;
}

// node_modules/zod/v4/core/to-json-schema.js
function assignProps(target, ...sources) {
  for (const source of sources) {
    for (const key of Reflect.ownKeys(source)) {
      if (Object.prototype.propertyIsEnumerable.call(source, key)) {
        assignProp(target, key, source[key]);
      }
    }
  }
  return target;
}
function initializeContext(params) {
  let target = params?.target ?? "draft-2020-12";
  if (target === "draft-4")
    target = "draft-04";
  if (target === "draft-7")
    target = "draft-07";
  return {
    processors: params.processors ?? {},
    metadataRegistry: params?.metadata ?? globalRegistry,
    target,
    unrepresentable: params?.unrepresentable ?? "throw",
    override: params?.override ?? (() => {
    }),
    io: params?.io ?? "output",
    counter: 0,
    seen: /* @__PURE__ */ new Map(),
    sharedDefsExtractedFor: void 0,
    sharedEmitDoneFor: void 0,
    cycles: params?.cycles ?? "ref",
    reused: params?.reused ?? "inline",
    intersections: [],
    deferred: [],
    external: params?.external ?? void 0
  };
}
function handleUnrepresentable(schema, ctx, json, params, message) {
  const result = typeof ctx.unrepresentable === "function" ? ctx.unrepresentable({ zodSchema: schema, path: params.path, message }) : ctx.unrepresentable;
  if (result === "any")
    return false;
  if (result === void 0 || result === "throw")
    throw new Error(message);
  Object.assign(json, result);
  return true;
}
function processSchema(schema, ctx, _params = { path: [], schemaPath: [] }) {
  var _a3;
  const def = schema._zod.def;
  const seen = ctx.seen.get(schema);
  if (seen) {
    seen.count++;
    const isCycle = _params.schemaPath.includes(schema);
    if (isCycle) {
      seen.cycle = _params.path;
    }
    return seen.schema;
  }
  const result = { schema: {}, count: 1, cycle: void 0, path: _params.path };
  ctx.seen.set(schema, result);
  ctx.sharedDefsExtractedFor = void 0;
  ctx.sharedEmitDoneFor = void 0;
  const overrideSchema = schema._zod.toJSONSchema?.();
  if (overrideSchema) {
    result.schema = overrideSchema;
  } else {
    const params = {
      ..._params,
      schemaPath: [..._params.schemaPath, schema],
      path: _params.path
    };
    if (schema._zod.processJSONSchema) {
      schema._zod.processJSONSchema(ctx, result.schema, params);
    } else {
      const _json = result.schema;
      const processor = ctx.processors[def.type];
      if (!processor) {
        throw new Error(`[toJSONSchema]: Non-representable type encountered: ${def.type}`);
      }
      processor(schema, ctx, _json, params);
    }
    const parent = schema._zod.parent;
    if (parent) {
      if (!result.ref)
        result.ref = parent;
      processSchema(parent, ctx, params);
      ctx.seen.get(parent).isParent = true;
    }
  }
  const meta2 = ctx.metadataRegistry.get(schema);
  if (meta2)
    assignProps(result.schema, meta2);
  if (ctx.io === "input" && isTransforming(schema)) {
    delete result.schema.examples;
    delete result.schema.default;
  }
  if (ctx.io === "input" && "_prefault" in result.schema)
    (_a3 = result.schema).default ?? (_a3.default = result.schema._prefault);
  delete result.schema._prefault;
  const _result = ctx.seen.get(schema);
  return _result.schema;
}
function encodeJSONPointerSegment(segment) {
  return segment.replace(/~/g, "~0").replace(/\//g, "~1");
}
function extractDefs(ctx, schema) {
  const root = ctx.seen.get(schema);
  if (!root)
    throw new Error("Unprocessed schema. This is a bug in Zod.");
  if (ctx.external && ctx.sharedDefsExtractedFor === ctx.external)
    return;
  const idToSchema = /* @__PURE__ */ new Map();
  for (const entry of ctx.seen.entries()) {
    const id = ctx.metadataRegistry.get(entry[0])?.id;
    if (id) {
      const existing = idToSchema.get(id);
      if (existing && existing !== entry[0]) {
        throw new Error(`Duplicate schema id "${id}" detected during JSON Schema conversion. Two different schemas cannot share the same id when converted together.`);
      }
      idToSchema.set(id, entry[0]);
    }
  }
  const makeURI = (entry) => {
    const defsSegment = ctx.target === "draft-2020-12" ? "$defs" : "definitions";
    if (ctx.external) {
      const externalId = ctx.external.registry.get(entry[0])?.id;
      const uriGenerator = ctx.external.uri ?? ((id2) => id2);
      if (externalId) {
        return { ref: uriGenerator(externalId) };
      }
      const id = entry[1].defId ?? entry[1].schema.id ?? `schema${ctx.counter++}`;
      entry[1].defId = id;
      return { defId: id, ref: `${uriGenerator("__shared")}#/${defsSegment}/${encodeJSONPointerSegment(id)}` };
    }
    const uriPrefix = `#`;
    const defUriPrefix = `${uriPrefix}/${defsSegment}/`;
    if (entry[1] === root && !entry[1].schema.id) {
      return { ref: uriPrefix };
    }
    const defId = entry[1].schema.id ?? `__schema${ctx.counter++}`;
    return { defId, ref: defUriPrefix + encodeJSONPointerSegment(defId) };
  };
  const extractToDef = (entry) => {
    if (entry[1].schema.$ref) {
      return;
    }
    const seen = entry[1];
    const { ref, defId } = makeURI(entry);
    seen.def = { ...seen.schema };
    if (defId)
      seen.defId = defId;
    const schema2 = seen.schema;
    for (const key in schema2) {
      delete schema2[key];
    }
    schema2.$ref = ref;
  };
  if (ctx.cycles === "throw") {
    for (const entry of ctx.seen.entries()) {
      const seen = entry[1];
      if (seen.cycle) {
        throw new Error(`Cycle detected: #/${seen.cycle?.join("/")}/<root>

Set the \`cycles\` parameter to \`"ref"\` to resolve cyclical schemas with defs.`);
      }
    }
  }
  for (const entry of ctx.seen.entries()) {
    const seen = entry[1];
    if (schema === entry[0]) {
      extractToDef(entry);
      continue;
    }
    if (ctx.external) {
      const ext = ctx.external.registry.get(entry[0])?.id;
      if (schema !== entry[0] && ext) {
        extractToDef(entry);
        continue;
      }
    }
    const id = ctx.metadataRegistry.get(entry[0])?.id;
    if (id) {
      extractToDef(entry);
      continue;
    }
    if (seen.cycle) {
      extractToDef(entry);
      continue;
    }
    if (seen.count > 1) {
      if (ctx.reused === "ref") {
        extractToDef(entry);
      }
    }
  }
  if (ctx.external)
    ctx.sharedDefsExtractedFor = ctx.external;
}
function compactTypeUnion(schema) {
  const options = schema.anyOf;
  if (!Array.isArray(options) || options.length === 0 || schema.type !== void 0)
    return;
  const types = [];
  for (const option of options) {
    if (!option || typeof option !== "object")
      return;
    compactTypeUnion(option);
    const keys = Object.keys(option);
    if (keys.length !== 1 || keys[0] !== "type")
      return;
    const type = option.type;
    for (const member of Array.isArray(type) ? type : [type]) {
      if (typeof member !== "string")
        return;
      if (!types.includes(member))
        types.push(member);
    }
  }
  delete schema.anyOf;
  schema.type = types.length === 1 ? types[0] : types;
}
var FOLDABLE_KEYS = /* @__PURE__ */ new Set(["type", "properties", "required", "additionalProperties"]);
var UNION_KEYS = ["oneOf", "anyOf"];
function undeclaredConstraint(member) {
  const extra = member.additionalProperties;
  if (extra === void 0 || extra === false || typeof extra !== "object" || extra === null)
    return null;
  return Object.keys(extra).length ? extra : null;
}
function foldObjects(members2) {
  const objects = [];
  for (const member of members2) {
    if (typeof member !== "object" || member.type !== "object")
      return null;
    for (const key in member) {
      if (!FOLDABLE_KEYS.has(key))
        return null;
    }
    objects.push(member);
  }
  const properties = {};
  const required2 = /* @__PURE__ */ new Set();
  for (const object of objects) {
    for (const key in object.properties) {
      if (Object.prototype.hasOwnProperty.call(properties, key))
        continue;
      const parts = [];
      for (const other of objects) {
        const part = other.properties?.[key] ?? undeclaredConstraint(other);
        if (part === null || part === void 0)
          continue;
        if (!parts.some((seen) => JSON.stringify(seen) === JSON.stringify(part)))
          parts.push(part);
      }
      const merged = parts.length === 1 ? parts[0] : foldObjects(parts) ?? { allOf: parts };
      assignProp(properties, key, merged);
    }
    for (const key of object.required ?? [])
      required2.add(key);
  }
  const folded = { type: "object", properties };
  if (required2.size)
    folded.required = [...required2];
  if (objects.every((object) => object.additionalProperties === false)) {
    folded.additionalProperties = false;
  } else {
    const constraints = [];
    for (const object of objects) {
      const constraint = undeclaredConstraint(object);
      if (constraint && !constraints.some((seen) => JSON.stringify(seen) === JSON.stringify(constraint)))
        constraints.push(constraint);
    }
    if (constraints.length === 1)
      folded.additionalProperties = constraints[0];
    else if (constraints.length > 1)
      folded.additionalProperties = { allOf: constraints };
  }
  return folded;
}
function foldIntersection(json) {
  const allOf = json.allOf;
  if (!Array.isArray(allOf) || allOf.length < 2)
    return;
  for (const key of FOLDABLE_KEYS)
    if (key in json)
      return;
  const unions = allOf.filter((m) => UNION_KEYS.some((k) => Array.isArray(m[k])));
  let folded = null;
  if (!unions.length) {
    folded = foldObjects(allOf);
  } else {
    const union2 = unions[0];
    const keyword = UNION_KEYS.find((k) => Array.isArray(union2[k]));
    if (Object.keys(union2).length !== 1)
      return;
    const rest = allOf.filter((m) => m !== union2);
    const branches = union2[keyword].map((branch) => foldObjects([...rest, branch]));
    if (branches.some((b) => !b))
      return;
    folded = { [keyword]: branches };
  }
  if (!folded)
    return;
  delete json.allOf;
  assignProps(json, folded);
}
function finalize(ctx, schema) {
  const root = ctx.seen.get(schema);
  if (!root)
    throw new Error("Unprocessed schema. This is a bug in Zod.");
  const flattenRef = (zodSchema) => {
    const seen = ctx.seen.get(zodSchema);
    if (seen.ref === null)
      return;
    const schema2 = seen.def ?? seen.schema;
    const _cached = { ...schema2 };
    const ref = seen.ref;
    seen.ref = null;
    if (ref) {
      flattenRef(ref);
      const refSeen = ctx.seen.get(ref);
      const refSchema = refSeen.schema;
      if (refSchema.$ref && (ctx.target === "draft-07" || ctx.target === "draft-04" || ctx.target === "openapi-3.0")) {
        schema2.allOf = schema2.allOf ?? [];
        schema2.allOf.push(refSchema);
      } else {
        assignProps(schema2, refSchema);
      }
      assignProps(schema2, _cached);
      const isParentRef = zodSchema._zod.parent === ref;
      if (isParentRef) {
        for (const key in schema2) {
          if (key === "$ref" || key === "allOf")
            continue;
          if (!(key in _cached)) {
            delete schema2[key];
          }
        }
      }
      if (refSchema.$ref && refSeen.def) {
        for (const key in schema2) {
          if (key === "$ref" || key === "allOf")
            continue;
          if (key in refSeen.def && JSON.stringify(schema2[key]) === JSON.stringify(refSeen.def[key])) {
            delete schema2[key];
          }
        }
      }
    }
    const parent = zodSchema._zod.parent;
    if (parent && parent !== ref) {
      flattenRef(parent);
      const parentSeen = ctx.seen.get(parent);
      if (parentSeen?.schema.$ref) {
        schema2.$ref = parentSeen.schema.$ref;
        if (parentSeen.def) {
          for (const key in schema2) {
            if (key === "$ref" || key === "allOf")
              continue;
            if (key in parentSeen.def && JSON.stringify(schema2[key]) === JSON.stringify(parentSeen.def[key])) {
              delete schema2[key];
            }
          }
        }
      }
    }
    ctx.override({
      zodSchema,
      jsonSchema: schema2,
      path: seen.path ?? []
    });
  };
  if (!ctx.external || ctx.sharedEmitDoneFor !== ctx.external) {
    for (const entry of [...ctx.seen.entries()].reverse()) {
      flattenRef(entry[0]);
    }
    if (ctx.target !== "openapi-3.0") {
      for (const entry of ctx.seen.entries()) {
        compactTypeUnion(entry[1].def ?? entry[1].schema);
      }
    }
    for (const rewrite of ctx.deferred)
      rewrite();
    if (ctx.intersections.length) {
      const carriers = /* @__PURE__ */ new Map();
      for (const seen of ctx.seen.values()) {
        for (const json of [seen.schema, seen.def]) {
          const allOf = json?.allOf;
          if (!Array.isArray(allOf))
            continue;
          const existing = carriers.get(allOf);
          if (existing)
            existing.push(json);
          else
            carriers.set(allOf, [json]);
        }
      }
      for (const allOf of ctx.intersections) {
        for (const json of carriers.get(allOf) ?? [])
          foldIntersection(json);
      }
    }
  }
  const result = {};
  if (ctx.target === "draft-2020-12") {
    result.$schema = "https://json-schema.org/draft/2020-12/schema";
  } else if (ctx.target === "draft-07") {
    result.$schema = "http://json-schema.org/draft-07/schema#";
  } else if (ctx.target === "draft-04") {
    result.$schema = "http://json-schema.org/draft-04/schema#";
  } else if (ctx.target === "openapi-3.0") {
  } else {
  }
  if (ctx.external?.uri) {
    const id = ctx.external.registry.get(schema)?.id;
    if (!id)
      throw new Error("Schema is missing an `id` property");
    result.$id = ctx.external.uri(id);
  }
  assignProps(result, root.defId ? root.schema : root.def ?? root.schema);
  const rootMetaId = ctx.metadataRegistry.get(schema)?.id;
  if (rootMetaId !== void 0 && result.id === rootMetaId)
    delete result.id;
  const defs = ctx.external?.defs ?? {};
  if (!ctx.external || ctx.sharedEmitDoneFor !== ctx.external) {
    for (const entry of ctx.seen.entries()) {
      const seen = entry[1];
      if (seen.def && seen.defId) {
        if (seen.def.id === seen.defId)
          delete seen.def.id;
        assignProp(defs, seen.defId, seen.def);
      }
    }
  }
  if (ctx.external)
    ctx.sharedEmitDoneFor = ctx.external;
  if (ctx.external) {
  } else {
    if (Object.keys(defs).length > 0) {
      if (ctx.target === "draft-2020-12") {
        result.$defs = defs;
      } else {
        result.definitions = defs;
      }
    }
  }
  try {
    const finalized = JSON.parse(JSON.stringify(result));
    Object.defineProperty(finalized, "~standard", {
      value: {
        ...schema["~standard"],
        jsonSchema: {
          input: createStandardJSONSchemaMethod(schema, "input", ctx.processors),
          output: createStandardJSONSchemaMethod(schema, "output", ctx.processors)
        }
      },
      enumerable: false,
      writable: false
    });
    return finalized;
  } catch (_err) {
    throw new Error("Error converting schema to JSON.");
  }
}
function isTransforming(_schema, _ctx) {
  const ctx = _ctx ?? { seen: /* @__PURE__ */ new Set() };
  if (ctx.seen.has(_schema))
    return false;
  ctx.seen.add(_schema);
  const def = _schema._zod.def;
  if (def.type === "transform")
    return true;
  if (def.type === "array")
    return isTransforming(def.element, ctx);
  if (def.type === "set")
    return isTransforming(def.valueType, ctx);
  if (def.type === "lazy")
    return isTransforming(def.getter(), ctx);
  if (def.type === "promise" || def.type === "optional" || def.type === "nonoptional" || def.type === "nullable" || def.type === "readonly" || def.type === "default" || def.type === "prefault" || def.type === "catch") {
    return isTransforming(def.innerType, ctx);
  }
  if (def.type === "intersection") {
    return isTransforming(def.left, ctx) || isTransforming(def.right, ctx);
  }
  if (def.type === "record" || def.type === "map") {
    return isTransforming(def.keyType, ctx) || isTransforming(def.valueType, ctx);
  }
  if (def.type === "pipe") {
    if (_schema._zod.traits.has("$ZodCodec"))
      return true;
    return isTransforming(def.in, ctx) || isTransforming(def.out, ctx);
  }
  if (def.type === "object") {
    for (const key in def.shape) {
      if (isTransforming(def.shape[key], ctx))
        return true;
    }
    return false;
  }
  if (def.type === "union") {
    for (const option of def.options) {
      if (isTransforming(option, ctx))
        return true;
    }
    return false;
  }
  if (def.type === "tuple") {
    for (const item of def.items) {
      if (isTransforming(item, ctx))
        return true;
    }
    if (def.rest && isTransforming(def.rest, ctx))
      return true;
    return false;
  }
  return false;
}
var createToJSONSchemaMethod = (schema, processors = {}) => (params) => {
  const ctx = initializeContext({ ...params, processors });
  processSchema(schema, ctx);
  extractDefs(ctx, schema);
  return finalize(ctx, schema);
};
var createStandardJSONSchemaMethod = (schema, io, processors = {}) => (params) => {
  const { libraryOptions, target } = params ?? {};
  const ctx = initializeContext({ ...libraryOptions ?? {}, target, io, processors });
  processSchema(schema, ctx);
  extractDefs(ctx, schema);
  return finalize(ctx, schema);
};

// node_modules/zod/v4/core/json-schema-processors.js
var narrowMin = (agg, key, value) => {
  if (agg[key] === void 0 || value > agg[key])
    agg[key] = value;
};
var narrowMax = (agg, key, value) => {
  if (agg[key] === void 0 || value < agg[key])
    agg[key] = value;
};
var narrowBoth = (agg, value) => {
  narrowMin(agg, "minimum", value);
  narrowMax(agg, "maximum", value);
};
var addDivisor = (agg, value) => {
  agg.multipleOf ?? (agg.multipleOf = []);
  if (!agg.multipleOf.includes(value))
    agg.multipleOf.push(value);
};
var addPattern = (agg, pattern) => {
  agg.patterns ?? (agg.patterns = /* @__PURE__ */ new Set());
  agg.patterns.add(pattern);
};
var intersectMime = (agg, mime) => {
  agg.mime = agg.mime ? agg.mime.filter((m) => mime.includes(m)) : [...mime];
};
var setFormat = (agg, format) => {
  agg.format = format;
  if (format.includes("int"))
    agg.isInt = true;
};
var minContributor = (agg, def) => narrowMin(agg, "minimum", def.minimum);
var maxContributor = (agg, def) => narrowMax(agg, "maximum", def.maximum);
var formatContributor = (ranges) => (agg, def) => {
  setFormat(agg, def.format);
  const [minimum, maximum] = ranges[def.format];
  narrowMin(agg, "minimum", minimum);
  narrowMax(agg, "maximum", maximum);
};
var contributors = {
  greater_than: (agg, def) => narrowMin(agg, def.inclusive ? "minimum" : "exclusiveMinimum", def.value),
  less_than: (agg, def) => narrowMax(agg, def.inclusive ? "maximum" : "exclusiveMaximum", def.value),
  multiple_of: (agg, def) => addDivisor(agg, def.value),
  number_format: formatContributor(NUMBER_FORMAT_RANGES),
  bigint_format: formatContributor(BIGINT_FORMAT_RANGES),
  min_length: minContributor,
  max_length: maxContributor,
  length_equals: (agg, def) => narrowBoth(agg, def.length),
  min_size: minContributor,
  max_size: maxContributor,
  size_equals: (agg, def) => narrowBoth(agg, def.size),
  string_format: (agg, def) => {
    setFormat(agg, def.format);
    if (def.pattern)
      addPattern(agg, def.pattern);
    if (def.format === "base64" || def.format === "base64url")
      agg.contentEncoding = def.format;
    if (def.local || def.precision === -1)
      agg.laxFormat = true;
  },
  mime_type: (agg, def) => intersectMime(agg, def.mime)
};
function aggregateChecks(schema) {
  const agg = {};
  const def = schema._zod.def;
  const list = schema._zod.traits.has("$ZodCheck") ? [schema, ...def.checks ?? []] : def.checks ?? [];
  for (const ch of list)
    contributors[ch._zod.def.check]?.(agg, ch._zod.def);
  const bag = schema._zod.bag;
  if (bag.minimum !== void 0)
    narrowMin(agg, "minimum", bag.minimum);
  if (bag.exclusiveMinimum !== void 0)
    narrowMin(agg, "exclusiveMinimum", bag.exclusiveMinimum);
  if (bag.maximum !== void 0)
    narrowMax(agg, "maximum", bag.maximum);
  if (bag.exclusiveMaximum !== void 0)
    narrowMax(agg, "exclusiveMaximum", bag.exclusiveMaximum);
  if (bag.multipleOf !== void 0)
    addDivisor(agg, bag.multipleOf);
  if (bag.format !== void 0) {
    agg.format ?? (agg.format = bag.format);
    if (bag.format.includes("int"))
      agg.isInt = true;
  }
  if (bag.mime)
    intersectMime(agg, bag.mime);
  for (const pattern of bag.patterns ?? [])
    addPattern(agg, pattern);
  return agg;
}
var formatMap = {
  guid: "uuid",
  url: "uri",
  datetime: "date-time",
  json_string: "json-string",
  regex: ""
  // do not set
};
var exactPatterns = /* @__PURE__ */ new Map([
  [base64Charset, base64],
  [base64urlCharset, base64url]
]);
var exactPattern = (p) => exactPatterns.get(p) ?? p;
var stringProcessor = (schema, ctx, _json, _params) => {
  const json = _json;
  json.type = "string";
  const { minimum, maximum, format, patterns, contentEncoding, laxFormat } = aggregateChecks(schema);
  if (typeof minimum === "number")
    json.minLength = minimum;
  if (typeof maximum === "number")
    json.maxLength = maximum;
  if (format) {
    json.format = formatMap[format] ?? format;
    if (json.format === "")
      delete json.format;
    if (format === "time" || laxFormat) {
      delete json.format;
    }
  }
  if (contentEncoding)
    json.contentEncoding = contentEncoding;
  if (patterns && patterns.size > 0) {
    const patternList = [...patterns].map(exactPattern);
    if (patternList.length === 1)
      json.pattern = patternList[0].source;
    else if (patternList.length > 1) {
      json.allOf = [
        ...patternList.map((regex) => ({
          ...ctx.target === "draft-07" || ctx.target === "draft-04" || ctx.target === "openapi-3.0" ? { type: "string" } : {},
          pattern: regex.source
        }))
      ];
    }
  }
};
var numberProcessor = (schema, ctx, _json, params) => {
  const json = _json;
  const { minimum, maximum, multipleOf, exclusiveMaximum, exclusiveMinimum, isInt } = aggregateChecks(schema);
  json.type = isInt ? "integer" : "number";
  const exMin = typeof exclusiveMinimum === "number" && exclusiveMinimum >= (minimum ?? Number.NEGATIVE_INFINITY);
  const exMax = typeof exclusiveMaximum === "number" && exclusiveMaximum <= (maximum ?? Number.POSITIVE_INFINITY);
  const legacy = ctx.target === "draft-04" || ctx.target === "openapi-3.0";
  if (exMin) {
    if (legacy) {
      json.minimum = exclusiveMinimum;
      json.exclusiveMinimum = true;
    } else {
      json.exclusiveMinimum = exclusiveMinimum;
    }
  } else if (typeof minimum === "number") {
    json.minimum = minimum;
  }
  if (exMax) {
    if (legacy) {
      json.maximum = exclusiveMaximum;
      json.exclusiveMaximum = true;
    } else {
      json.exclusiveMaximum = exclusiveMaximum;
    }
  } else if (typeof maximum === "number") {
    json.maximum = maximum;
  }
  if (multipleOf) {
    const divisors = /* @__PURE__ */ new Set();
    for (const divisor of multipleOf) {
      if (Number.isFinite(divisor) && divisor !== 0)
        divisors.add(Math.abs(divisor));
      else
        handleUnrepresentable(schema, ctx, json, params, `A multipleOf divisor of ${divisor} cannot be represented in JSON Schema`);
    }
    const [first, ...rest] = divisors;
    if (first !== void 0)
      json.multipleOf = first;
    if (rest.length)
      json.allOf = [...json.allOf ?? [], ...rest.map((m) => ({ multipleOf: m }))];
  }
};
var booleanProcessor = (_schema, _ctx, json, _params) => {
  json.type = "boolean";
};
var neverProcessor = (_schema, _ctx, json, _params) => {
  json.not = {};
};
var unknownProcessor = (_schema, _ctx, _json, _params) => {
};
var enumProcessor = (schema, _ctx, json, _params) => {
  const def = schema._zod.def;
  const values = getEnumValues(def.entries);
  if (values.length === 0) {
    json.not = {};
    return;
  }
  if (values.every((v) => typeof v === "number"))
    json.type = "number";
  if (values.every((v) => typeof v === "string"))
    json.type = "string";
  json.enum = values;
};
var customProcessor = (schema, ctx, json, params) => {
  handleUnrepresentable(schema, ctx, json, params, "Custom types cannot be represented in JSON Schema");
};
var transformProcessor = (schema, ctx, json, params) => {
  handleUnrepresentable(schema, ctx, json, params, "Transforms cannot be represented in JSON Schema");
};
var arrayProcessor = (schema, ctx, _json, params) => {
  const json = _json;
  const def = schema._zod.def;
  const { minimum, maximum } = aggregateChecks(schema);
  if (typeof minimum === "number")
    json.minItems = minimum;
  if (typeof maximum === "number")
    json.maxItems = maximum;
  json.type = "array";
  json.items = processSchema(def.element, ctx, {
    ...params,
    path: [...params.path, "items"]
  });
};
function inputOptin(schema) {
  const def = schema._zod.def;
  if (def.type === "pipe" && def.in._zod.traits.has("$ZodTransform")) {
    return inputOptin(def.out);
  }
  if (def.type === "catch") {
    return inputOptin(def.innerType);
  }
  return schema._zod.optin;
}
var objectProcessor = (schema, ctx, _json, params) => {
  const json = _json;
  const def = schema._zod.def;
  const shape = def.shape;
  const symbolKeys = Object.getOwnPropertySymbols(shape);
  if (symbolKeys.length && handleUnrepresentable(schema, ctx, json, params, "Symbol keys cannot be represented in JSON Schema")) {
    return;
  }
  json.type = "object";
  json.properties = {};
  for (const key in shape) {
    assignProp(json.properties, key, processSchema(shape[key], ctx, {
      ...params,
      path: [...params.path, "properties", key]
    }));
  }
  const requiredKeys = [];
  for (const key of Object.keys(shape)) {
    const field = def.shape[key];
    if (ctx.io === "input" ? inputOptin(field) === void 0 : field._zod.optout === void 0) {
      requiredKeys.push(key);
    }
  }
  if (requiredKeys.length > 0) {
    json.required = requiredKeys;
  }
  if (def.catchall?._zod.def.type === "never") {
    json.additionalProperties = false;
  } else if (!def.catchall) {
    if (ctx.io === "output")
      json.additionalProperties = false;
  } else if (def.catchall) {
    json.additionalProperties = processSchema(def.catchall, ctx, {
      ...params,
      path: [...params.path, "additionalProperties"]
    });
  }
};
var unionProcessor = (schema, ctx, json, params) => {
  const def = schema._zod.def;
  const isExclusive = def.inclusive === false;
  const options = def.options.map((x, i) => processSchema(x, ctx, {
    ...params,
    path: [...params.path, isExclusive ? "oneOf" : "anyOf", i]
  }));
  if (isExclusive) {
    json.oneOf = options;
  } else {
    json.anyOf = options;
  }
};
var intersectionProcessor = (schema, ctx, json, params) => {
  const def = schema._zod.def;
  const a = processSchema(def.left, ctx, {
    ...params,
    path: [...params.path, "allOf", 0]
  });
  const b = processSchema(def.right, ctx, {
    ...params,
    path: [...params.path, "allOf", 1]
  });
  const isSimpleIntersection = (val) => "allOf" in val && Object.keys(val).length === 1;
  const allOf = [
    ...isSimpleIntersection(a) ? a.allOf : [a],
    ...isSimpleIntersection(b) ? b.allOf : [b]
  ];
  json.allOf = allOf;
  ctx.intersections.push(allOf);
};
function stringifyKeyNames(bySchema, json, visited) {
  if (json.$ref) {
    if (visited.has(json))
      return json;
    visited.add(json);
    const def = bySchema.get(json)?.def;
    if (!def)
      return json;
    const inlined = stringifyKeyNames(bySchema, def, visited);
    return inlined === def ? json : inlined;
  }
  for (const keyword of ["anyOf", "oneOf"]) {
    const branches = json[keyword];
    if (!Array.isArray(branches))
      continue;
    const mapped = branches.map((branch) => stringifyKeyNames(bySchema, branch, visited));
    if (mapped.some((branch, i) => branch !== branches[i]))
      json = { ...json, [keyword]: mapped };
  }
  const types = Array.isArray(json.type) ? json.type : [json.type];
  const numericType = !types.includes("string") && types.some((t) => t === "number" || t === "integer");
  const values = json.enum ?? (json.const !== void 0 ? [json.const] : void 0);
  if (!numericType && !values?.some((v) => typeof v === "number"))
    return json;
  const { minimum, maximum, exclusiveMinimum, exclusiveMaximum, multipleOf, format, id, ...rest } = json;
  if (rest.enum)
    rest.enum = rest.enum.map((v) => typeof v === "number" ? String(v) : v);
  else if (typeof rest.const === "number")
    rest.const = String(rest.const);
  if (!numericType)
    return rest;
  rest.type = "string";
  if (!values)
    rest.pattern = (types.includes("number") ? number : integer).source;
  return rest;
}
var pendingRecords = /* @__PURE__ */ new WeakMap();
function rewriteKeyNames(ctx) {
  const bySchema = /* @__PURE__ */ new Map();
  for (const entry of ctx.seen.values()) {
    if (entry.def && !bySchema.has(entry.schema))
      bySchema.set(entry.schema, entry);
  }
  const rewrites = /* @__PURE__ */ new Map();
  for (const record2 of pendingRecords.get(ctx) ?? []) {
    const seen = ctx.seen.get(record2);
    const names = (seen?.def ?? seen?.schema)?.propertyNames;
    if (!names || names === true || rewrites.has(names))
      continue;
    const rewritten = stringifyKeyNames(bySchema, names, /* @__PURE__ */ new Set());
    if (rewritten !== names)
      rewrites.set(names, rewritten);
  }
  if (!rewrites.size)
    return;
  for (const entry of ctx.seen.values()) {
    for (const carrier of [entry.schema, entry.def]) {
      const rewritten = carrier && rewrites.get(carrier.propertyNames);
      if (rewritten)
        carrier.propertyNames = rewritten;
    }
  }
}
var recordProcessor = (schema, ctx, _json, params) => {
  const json = _json;
  const def = schema._zod.def;
  json.type = "object";
  const keyType = def.keyType;
  const patterns = aggregateChecks(keyType).patterns;
  if (def.mode === "loose" && patterns && patterns.size > 0) {
    const valueSchema = processSchema(def.valueType, ctx, {
      ...params,
      path: [...params.path, "patternProperties", "*"]
    });
    json.patternProperties = {};
    for (const pattern of patterns) {
      assignProp(json.patternProperties, exactPattern(pattern).source, valueSchema);
    }
  } else {
    if (ctx.target === "draft-07" || ctx.target === "draft-2020-12") {
      json.propertyNames = processSchema(def.keyType, ctx, {
        ...params,
        path: [...params.path, "propertyNames"]
      });
      let pending = pendingRecords.get(ctx);
      if (!pending) {
        pending = [];
        pendingRecords.set(ctx, pending);
        ctx.deferred.push(() => rewriteKeyNames(ctx));
      }
      pending.push(schema);
    }
    json.additionalProperties = processSchema(def.valueType, ctx, {
      ...params,
      path: [...params.path, "additionalProperties"]
    });
  }
  const keyValues = keyType._zod.values;
  const omittableOnInput = ctx.io === "input" && inputOptin(def.valueType) !== void 0;
  if (keyValues && !def.partial && !omittableOnInput) {
    const validKeyValues = [...keyValues].filter((v) => typeof v === "string" || typeof v === "number");
    if (validKeyValues.length > 0) {
      json.required = validKeyValues.map(String);
    }
  }
};
var nullableProcessor = (schema, ctx, json, params) => {
  const def = schema._zod.def;
  const inner = processSchema(def.innerType, ctx, params);
  const seen = ctx.seen.get(schema);
  if (ctx.target === "openapi-3.0") {
    seen.ref = def.innerType;
    json.nullable = true;
  } else {
    json.anyOf = [inner, { type: "null" }];
  }
};
var nonoptionalProcessor = (schema, ctx, _json, params) => {
  const def = schema._zod.def;
  processSchema(def.innerType, ctx, params);
  const seen = ctx.seen.get(schema);
  seen.ref = def.innerType;
};
var UNREPRESENTABLE_DEFAULT = /* @__PURE__ */ Symbol();
function serializeDefaultValue(value, schema, ctx, json, params) {
  let unrepresentable = false;
  const serialized = JSON.stringify(value, (_, val) => {
    if (typeof val !== "bigint")
      return val;
    unrepresentable = true;
    return null;
  });
  if (!unrepresentable)
    return JSON.parse(serialized);
  handleUnrepresentable(schema, ctx, json, params, "BigInt defaults cannot be represented in JSON Schema");
  return UNREPRESENTABLE_DEFAULT;
}
var defaultProcessor = (schema, ctx, json, params) => {
  const def = schema._zod.def;
  processSchema(def.innerType, ctx, params);
  const seen = ctx.seen.get(schema);
  seen.ref = def.innerType;
  const value = serializeDefaultValue(def.defaultValue, schema, ctx, json, params);
  if (value !== UNREPRESENTABLE_DEFAULT)
    json.default = value;
};
var prefaultProcessor = (schema, ctx, json, params) => {
  const def = schema._zod.def;
  processSchema(def.innerType, ctx, params);
  const seen = ctx.seen.get(schema);
  seen.ref = def.innerType;
  if (ctx.io !== "input")
    return;
  const value = serializeDefaultValue(def.defaultValue, schema, ctx, json, params);
  if (value !== UNREPRESENTABLE_DEFAULT)
    json._prefault = value;
};
var catchProcessor = (schema, ctx, json, params) => {
  const def = schema._zod.def;
  processSchema(def.innerType, ctx, params);
  const seen = ctx.seen.get(schema);
  seen.ref = def.innerType;
  let catchValue;
  try {
    catchValue = def.catchValue(void 0);
  } catch {
    handleUnrepresentable(schema, ctx, json, params, "Dynamic catch values are not supported in JSON Schema");
    return;
  }
  json.default = catchValue;
};
var pipeProcessor = (schema, ctx, _json, params) => {
  const def = schema._zod.def;
  const inIsTransform = def.in._zod.traits.has("$ZodTransform");
  const innerType = ctx.io === "input" ? inIsTransform ? def.out : def.in : def.out;
  processSchema(innerType, ctx, params);
  const seen = ctx.seen.get(schema);
  seen.ref = innerType;
};
var readonlyProcessor = (schema, ctx, json, params) => {
  const def = schema._zod.def;
  processSchema(def.innerType, ctx, params);
  const seen = ctx.seen.get(schema);
  seen.ref = def.innerType;
  json.readOnly = true;
};
var optionalProcessor = (schema, ctx, _json, params) => {
  const def = schema._zod.def;
  processSchema(def.innerType, ctx, params);
  const seen = ctx.seen.get(schema);
  seen.ref = def.innerType;
};

// node_modules/zod/v4/classic/errors.js
var _installedErrorProtos = /* @__PURE__ */ new WeakSet([Object.prototype, Error.prototype]);
function _lazyMethod(proto, key, make) {
  Object.defineProperty(proto, key, {
    configurable: true,
    enumerable: false,
    get() {
      const value = make(this);
      Object.defineProperty(this, key, { value, configurable: true, writable: true });
      return value;
    },
    set(value) {
      Object.defineProperty(this, key, { value, configurable: true, writable: true });
    }
  });
}
var initializer2 = (inst, issues) => {
  $ZodError.init(inst, issues);
  inst.name = "ZodError";
  const proto = Object.getPrototypeOf(inst);
  if (_installedErrorProtos.has(proto))
    return;
  _installedErrorProtos.add(proto);
  _lazyMethod(proto, "format", (self) => (mapper) => formatError(self, mapper));
  _lazyMethod(proto, "flatten", (self) => (mapper) => flattenError(self, mapper));
  _lazyMethod(proto, "addIssue", (self) => (issue2) => {
    self.issues.push(issue2);
    self.message = JSON.stringify(self.issues, jsonStringifyReplacer, 2);
  });
  _lazyMethod(proto, "addIssues", (self) => (issues2) => {
    self.issues.push(...issues2);
    self.message = JSON.stringify(self.issues, jsonStringifyReplacer, 2);
  });
  Object.defineProperty(proto, "isEmpty", {
    configurable: true,
    enumerable: false,
    get() {
      return this.issues.length === 0;
    }
  });
};
var ZodRealError = /* @__PURE__ */ $constructor("ZodError", initializer2, void 0, {
  Parent: Error
});

// node_modules/zod/v4/classic/parse.js
var parse = /* @__PURE__ */ _parse(ZodRealError);
var parseAsync = /* @__PURE__ */ _parseAsync(ZodRealError);
var safeParse = /* @__PURE__ */ _safeParse(ZodRealError);
var safeParseAsync = /* @__PURE__ */ _safeParseAsync(ZodRealError);
var encode = /* @__PURE__ */ _encode(ZodRealError);
var decode = /* @__PURE__ */ _decode(ZodRealError);
var encodeAsync = /* @__PURE__ */ _encodeAsync(ZodRealError);
var decodeAsync = /* @__PURE__ */ _decodeAsync(ZodRealError);
var safeEncode = /* @__PURE__ */ _safeEncode(ZodRealError);
var safeDecode = /* @__PURE__ */ _safeDecode(ZodRealError);
var safeEncodeAsync = /* @__PURE__ */ _safeEncodeAsync(ZodRealError);
var safeDecodeAsync = /* @__PURE__ */ _safeDecodeAsync(ZodRealError);

// node_modules/zod/v4/classic/schemas.js
function _ensureDefaultLocale() {
  if (!globalConfig.localeError)
    config(en_default());
}
function _ensureDefaultMemoizer() {
  if (!globalConfig.memoizer)
    config({ memoizer: memoizer() });
}
var ZodType = /* @__PURE__ */ $constructor("ZodType", (inst, def) => {
  _ensureDefaultLocale();
  $ZodType.init(inst, def);
  inst.def = def;
  inst.type = def.type;
  return inst;
}, {
  check(...chks) {
    const def = this.def;
    return this.clone(util_exports.mergeDefs(def, {
      checks: [
        ...def.checks ?? [],
        ...chks.map((ch) => typeof ch === "function" ? { _zod: { check: ch, def: { check: "custom" }, onattach: [] } } : ch)
      ]
    }), { parent: true });
  },
  with(...chks) {
    return this.check(...chks);
  },
  clone(def, params) {
    return clone(this, def, params);
  },
  brand() {
    return this;
  },
  register(reg, meta2) {
    reg.add(this, meta2);
    return this;
  },
  refine(check, params) {
    return this.check(refine(check, params));
  },
  superRefine(refinement, params) {
    return this.check(superRefine(refinement, params));
  },
  overwrite(fn) {
    return this.check(_overwrite(fn));
  },
  optional() {
    return optional(this);
  },
  exactOptional() {
    return exactOptional(this);
  },
  nullable() {
    return nullable(this);
  },
  nullish() {
    return optional(nullable(this));
  },
  nonoptional(params) {
    return nonoptional(this, params);
  },
  array() {
    return array(this);
  },
  or(arg) {
    return union([this, arg]);
  },
  and(arg) {
    return intersection(this, arg);
  },
  transform(tx) {
    return pipe(this, transform(tx));
  },
  default(d) {
    return _default(this, d);
  },
  prefault(d) {
    return prefault(this, d);
  },
  catch(params) {
    return _catch(this, params);
  },
  pipe(target) {
    return pipe(this, target);
  },
  readonly() {
    return readonly(this);
  },
  describe(description) {
    const cl = this.clone();
    globalRegistry.add(cl, { description });
    return cl;
  },
  meta(...args) {
    if (args.length === 0)
      return globalRegistry.get(this);
    const cl = this.clone();
    globalRegistry.add(cl, args[0]);
    return cl;
  },
  isOptional() {
    return this.safeParse(void 0).success;
  },
  isNullable() {
    return this.safeParse(null).success;
  },
  apply(fn, ...args) {
    return args.length === 0 ? fn(this) : fn(this, ...args);
  },
  // Overrides core's `~standard` to add `jsonSchema`. Must stay a prototype entry: redefining it per instance demotes instances to dictionary mode.
  get "~standard"() {
    return util_exports.hide(this, "~standard", {
      ...standardProps(this),
      jsonSchema: {
        input: createStandardJSONSchemaMethod(this, "input"),
        output: createStandardJSONSchemaMethod(this, "output")
      }
    });
  },
  set "~standard"(value) {
    util_exports.own(this, "~standard", value);
  },
  parse: function _parse2(data, params) {
    return parse(this, data, params, { callee: _parse2 });
  },
  parseAsync: async function _parseAsync2(data, params) {
    return await parseAsync(this, data, params, { callee: _parseAsync2 });
  },
  safeParse(data, params) {
    return safeParse(this, data, params);
  },
  async safeParseAsync(data, params) {
    return safeParseAsync(this, data, params);
  },
  // `spa` is an alias: same function object as `safeParseAsync`, as before.
  get spa() {
    return this?.safeParseAsync;
  },
  set spa(value) {
    util_exports.own(this, "spa", value);
  },
  validate(data, params) {
    return validate(this, data, params);
  },
  validateAsync(data, params) {
    return validateAsync(this, data, params);
  },
  encode: function _encode2(data, params) {
    return encode(this, data, params, { callee: _encode2 });
  },
  decode: function _decode2(data, params) {
    return decode(this, data, params, { callee: _decode2 });
  },
  encodeAsync: async function _encodeAsync2(data, params) {
    return await encodeAsync(this, data, params, { callee: _encodeAsync2 });
  },
  decodeAsync: async function _decodeAsync2(data, params) {
    return await decodeAsync(this, data, params, { callee: _decodeAsync2 });
  },
  safeEncode(data, params) {
    return safeEncode(this, data, params);
  },
  safeDecode(data, params) {
    return safeDecode(this, data, params);
  },
  async safeEncodeAsync(data, params) {
    return safeEncodeAsync(this, data, params);
  },
  async safeDecodeAsync(data, params) {
    return safeDecodeAsync(this, data, params);
  },
  toJSONSchema(params) {
    return createToJSONSchemaMethod(this, {})(params);
  },
  // Reads through to the registry on every access, so it must not cache.
  get description() {
    return globalRegistry.get(this)?.description;
  },
  // No setter: `schema._def = x` throws, as it did when `_def` was a non-writable own property.
  get _def() {
    return this._zod.def;
  }
});
var _ZodString = /* @__PURE__ */ $constructor(
  "_ZodString",
  (inst, def) => {
    $ZodString.init(inst, def);
    ZodType.init(inst, def);
    inst._zod.processJSONSchema = (ctx, json, params) => stringProcessor(inst, ctx, json, params);
  },
  /* @__PURE__ */ util_exports.derived({
    format: (inst) => aggregateChecks(inst).format ?? null,
    minLength: (inst) => aggregateChecks(inst).minimum ?? null,
    maxLength: (inst) => aggregateChecks(inst).maximum ?? null
  }, {
    regex(...args) {
      return this.check(_regex(...args));
    },
    includes(...args) {
      return this.check(_includes(...args));
    },
    startsWith(...args) {
      return this.check(_startsWith(...args));
    },
    endsWith(...args) {
      return this.check(_endsWith(...args));
    },
    min(...args) {
      return this.check(_minLength(...args));
    },
    max(...args) {
      return this.check(_maxLength(...args));
    },
    length(...args) {
      return this.check(_length(...args));
    },
    nonempty(...args) {
      return this.check(_minLength(1, ...args));
    },
    lowercase(params) {
      return this.check(_lowercase(params));
    },
    uppercase(params) {
      return this.check(_uppercase(params));
    },
    trim() {
      return this.check(_trim());
    },
    normalize(...args) {
      return this.check(_normalize(...args));
    },
    toLowerCase() {
      return this.check(_toLowerCase());
    },
    toUpperCase() {
      return this.check(_toUpperCase());
    },
    slugify() {
      return this.check(_slugify());
    }
  })
);
var ZodString = /* @__PURE__ */ $constructor("ZodString", (inst, def) => {
  $ZodString.init(inst, def);
  _ZodString.init(inst, def);
}, {
  email(params) {
    return this.check(_email(ZodEmail, params));
  },
  url(params) {
    return this.check(_url(ZodURL, params));
  },
  jwt(params) {
    return this.check(_jwt(ZodJWT, params));
  },
  emoji(params) {
    return this.check(_emoji2(ZodEmoji, params));
  },
  guid(params) {
    return this.check(_guid(ZodGUID, params));
  },
  uuid(params) {
    return this.check(_uuid(ZodUUID, params));
  },
  uuidv4(params) {
    return this.check(_uuidv4(ZodUUID, params));
  },
  uuidv6(params) {
    return this.check(_uuidv6(ZodUUID, params));
  },
  uuidv7(params) {
    return this.check(_uuidv7(ZodUUID, params));
  },
  nanoid(params) {
    return this.check(_nanoid(ZodNanoID, params));
  },
  cuid(params) {
    return this.check(_cuid(ZodCUID, params));
  },
  cuid2(params) {
    return this.check(_cuid2(ZodCUID2, params));
  },
  ulid(params) {
    return this.check(_ulid(ZodULID, params));
  },
  base64(params) {
    return this.check(_base64(ZodBase64, params));
  },
  base64url(params) {
    return this.check(_base64url(ZodBase64URL, params));
  },
  xid(params) {
    return this.check(_xid(ZodXID, params));
  },
  ksuid(params) {
    return this.check(_ksuid(ZodKSUID, params));
  },
  ipv4(params) {
    return this.check(_ipv4(ZodIPv4, params));
  },
  ipv6(params) {
    return this.check(_ipv6(ZodIPv6, params));
  },
  cidrv4(params) {
    return this.check(_cidrv4(ZodCIDRv4, params));
  },
  cidrv6(params) {
    return this.check(_cidrv6(ZodCIDRv6, params));
  },
  e164(params) {
    return this.check(_e164(ZodE164, params));
  },
  datetime(params) {
    return this.check(_isoDateTime(ZodISODateTime, params));
  },
  date(params) {
    return this.check(_isoDate(ZodISODate, params));
  },
  time(params) {
    return this.check(_isoTime(ZodISOTime, params));
  },
  duration(params) {
    return this.check(_isoDuration(ZodISODuration, params));
  }
});
function string2(params) {
  return _string(ZodString, params);
}
var ZodStringFormat = /* @__PURE__ */ $constructor("ZodStringFormat", (inst, def) => {
  $ZodStringFormat.init(inst, def);
  _ZodString.init(inst, def);
});
var ZodISODateTime = /* @__PURE__ */ $constructor("ZodISODateTime", (inst, def) => {
  $ZodISODateTime.init(inst, def);
  ZodStringFormat.init(inst, def);
});
var ZodISODate = /* @__PURE__ */ $constructor("ZodISODate", (inst, def) => {
  $ZodISODate.init(inst, def);
  ZodStringFormat.init(inst, def);
});
var ZodISOTime = /* @__PURE__ */ $constructor("ZodISOTime", (inst, def) => {
  $ZodISOTime.init(inst, def);
  ZodStringFormat.init(inst, def);
});
var ZodISODuration = /* @__PURE__ */ $constructor("ZodISODuration", (inst, def) => {
  $ZodISODuration.init(inst, def);
  ZodStringFormat.init(inst, def);
});
var ZodEmail = /* @__PURE__ */ $constructor("ZodEmail", (inst, def) => {
  $ZodEmail.init(inst, def);
  ZodStringFormat.init(inst, def);
});
var ZodGUID = /* @__PURE__ */ $constructor("ZodGUID", (inst, def) => {
  $ZodGUID.init(inst, def);
  ZodStringFormat.init(inst, def);
});
var ZodUUID = /* @__PURE__ */ $constructor("ZodUUID", (inst, def) => {
  $ZodUUID.init(inst, def);
  ZodStringFormat.init(inst, def);
});
var ZodURL = /* @__PURE__ */ $constructor("ZodURL", (inst, def) => {
  $ZodURL.init(inst, def);
  ZodStringFormat.init(inst, def);
});
var ZodEmoji = /* @__PURE__ */ $constructor("ZodEmoji", (inst, def) => {
  $ZodEmoji.init(inst, def);
  ZodStringFormat.init(inst, def);
});
var ZodNanoID = /* @__PURE__ */ $constructor("ZodNanoID", (inst, def) => {
  $ZodNanoID.init(inst, def);
  ZodStringFormat.init(inst, def);
});
var ZodCUID = /* @__PURE__ */ $constructor("ZodCUID", (inst, def) => {
  $ZodCUID.init(inst, def);
  ZodStringFormat.init(inst, def);
});
var ZodCUID2 = /* @__PURE__ */ $constructor("ZodCUID2", (inst, def) => {
  $ZodCUID2.init(inst, def);
  ZodStringFormat.init(inst, def);
});
var ZodULID = /* @__PURE__ */ $constructor("ZodULID", (inst, def) => {
  $ZodULID.init(inst, def);
  ZodStringFormat.init(inst, def);
});
var ZodXID = /* @__PURE__ */ $constructor("ZodXID", (inst, def) => {
  $ZodXID.init(inst, def);
  ZodStringFormat.init(inst, def);
});
var ZodKSUID = /* @__PURE__ */ $constructor("ZodKSUID", (inst, def) => {
  $ZodKSUID.init(inst, def);
  ZodStringFormat.init(inst, def);
});
var ZodIPv4 = /* @__PURE__ */ $constructor("ZodIPv4", (inst, def) => {
  $ZodIPv4.init(inst, def);
  ZodStringFormat.init(inst, def);
});
var ZodIPv6 = /* @__PURE__ */ $constructor("ZodIPv6", (inst, def) => {
  $ZodIPv6.init(inst, def);
  ZodStringFormat.init(inst, def);
});
var ZodCIDRv4 = /* @__PURE__ */ $constructor("ZodCIDRv4", (inst, def) => {
  $ZodCIDRv4.init(inst, def);
  ZodStringFormat.init(inst, def);
});
var ZodCIDRv6 = /* @__PURE__ */ $constructor("ZodCIDRv6", (inst, def) => {
  $ZodCIDRv6.init(inst, def);
  ZodStringFormat.init(inst, def);
});
var ZodBase64 = /* @__PURE__ */ $constructor("ZodBase64", (inst, def) => {
  $ZodBase64.init(inst, def);
  ZodStringFormat.init(inst, def);
});
var ZodBase64URL = /* @__PURE__ */ $constructor("ZodBase64URL", (inst, def) => {
  $ZodBase64URL.init(inst, def);
  ZodStringFormat.init(inst, def);
});
var ZodE164 = /* @__PURE__ */ $constructor("ZodE164", (inst, def) => {
  $ZodE164.init(inst, def);
  ZodStringFormat.init(inst, def);
});
var ZodJWT = /* @__PURE__ */ $constructor("ZodJWT", (inst, def) => {
  $ZodJWT.init(inst, def);
  ZodStringFormat.init(inst, def);
});
var ZodNumber = /* @__PURE__ */ $constructor(
  "ZodNumber",
  (inst, def) => {
    $ZodNumber.init(inst, def);
    ZodType.init(inst, def);
    inst._zod.processJSONSchema = (ctx, json, params) => numberProcessor(inst, ctx, json, params);
    inst.isFinite = true;
  },
  /* @__PURE__ */ util_exports.derived({
    minValue: (inst) => {
      const { minimum, exclusiveMinimum } = aggregateChecks(inst);
      return Math.max(minimum ?? Number.NEGATIVE_INFINITY, exclusiveMinimum ?? Number.NEGATIVE_INFINITY);
    },
    maxValue: (inst) => {
      const { maximum, exclusiveMaximum } = aggregateChecks(inst);
      return Math.min(maximum ?? Number.POSITIVE_INFINITY, exclusiveMaximum ?? Number.POSITIVE_INFINITY);
    },
    isInt: (inst) => {
      const { isInt, multipleOf } = aggregateChecks(inst);
      return !!isInt || !!multipleOf?.some(Number.isSafeInteger);
    },
    format: (inst) => aggregateChecks(inst).format ?? null
  }, {
    gt(value, params) {
      return this.check(_gt(value, params));
    },
    gte(value, params) {
      return this.check(_gte(value, params));
    },
    min(value, params) {
      return this.check(_gte(value, params));
    },
    lt(value, params) {
      return this.check(_lt(value, params));
    },
    lte(value, params) {
      return this.check(_lte(value, params));
    },
    max(value, params) {
      return this.check(_lte(value, params));
    },
    int(params) {
      return this.check(int(params));
    },
    safe(params) {
      return this.check(int(params));
    },
    positive(params) {
      return this.check(_gt(0, params));
    },
    nonnegative(params) {
      return this.check(_gte(0, params));
    },
    negative(params) {
      return this.check(_lt(0, params));
    },
    nonpositive(params) {
      return this.check(_lte(0, params));
    },
    multipleOf(value, params) {
      return this.check(_multipleOf(value, params));
    },
    step(value, params) {
      return this.check(_multipleOf(value, params));
    },
    finite() {
      return this;
    }
  })
);
function number2(params) {
  return _number(ZodNumber, params);
}
var ZodNumberFormat = /* @__PURE__ */ $constructor("ZodNumberFormat", (inst, def) => {
  $ZodNumberFormat.init(inst, def);
  ZodNumber.init(inst, def);
});
function int(params) {
  return _int(ZodNumberFormat, params);
}
var ZodBoolean = /* @__PURE__ */ $constructor("ZodBoolean", (inst, def) => {
  $ZodBoolean.init(inst, def);
  ZodType.init(inst, def);
  inst._zod.processJSONSchema = (ctx, json, params) => booleanProcessor(inst, ctx, json, params);
});
function boolean2(params) {
  return _boolean(ZodBoolean, params);
}
var ZodUnknown = /* @__PURE__ */ $constructor("ZodUnknown", (inst, def) => {
  $ZodUnknown.init(inst, def);
  ZodType.init(inst, def);
  inst._zod.processJSONSchema = (ctx, json, params) => unknownProcessor(inst, ctx, json, params);
});
function unknown() {
  return _unknown(ZodUnknown);
}
var ZodNever = /* @__PURE__ */ $constructor("ZodNever", (inst, def) => {
  $ZodNever.init(inst, def);
  ZodType.init(inst, def);
  inst._zod.processJSONSchema = (ctx, json, params) => neverProcessor(inst, ctx, json, params);
});
function never(params) {
  return _never(ZodNever, params);
}
var ZodArray = /* @__PURE__ */ $constructor("ZodArray", (inst, def) => {
  _ensureDefaultMemoizer();
  $ZodArray.init(inst, def);
  ZodType.init(inst, def);
  inst._zod.processJSONSchema = (ctx, json, params) => arrayProcessor(inst, ctx, json, params);
  inst.element = def.element;
}, {
  min(n, params) {
    return this.check(_minLength(n, params));
  },
  nonempty(params) {
    return this.check(_minLength(1, params));
  },
  max(n, params) {
    return this.check(_maxLength(n, params));
  },
  length(n, params) {
    return this.check(_length(n, params));
  },
  unwrap() {
    return this.element;
  }
});
function array(element, params) {
  return _array(ZodArray, element, params);
}
var ZodObject = /* @__PURE__ */ $constructor("ZodObject", (inst, def) => {
  _ensureDefaultMemoizer();
  $ZodObjectJIT.init(inst, def);
  ZodType.init(inst, def);
  inst._zod.processJSONSchema = (ctx, json, params) => objectProcessor(inst, ctx, json, params);
  util_exports.installLazyProp(inst, "shape", (self) => self._zod.def.shape, false);
}, {
  keyof() {
    return _enum(Object.keys(this._zod.def.shape));
  },
  catchall(catchall) {
    return this.clone(util_exports.mergeDefs(this._zod.def, { catchall }));
  },
  passthrough() {
    return this.clone(util_exports.mergeDefs(this._zod.def, { catchall: unknown() }));
  },
  loose() {
    return this.clone(util_exports.mergeDefs(this._zod.def, { catchall: unknown() }));
  },
  strict() {
    return this.clone(util_exports.mergeDefs(this._zod.def, { catchall: never() }));
  },
  strip() {
    return this.clone(util_exports.mergeDefs(this._zod.def, { catchall: void 0 }));
  },
  extend(incoming) {
    return util_exports.extend(this, incoming);
  },
  safeExtend(incoming) {
    return util_exports.safeExtend(this, incoming);
  },
  merge(other) {
    return util_exports.merge(this, other);
  },
  pick(mask) {
    return util_exports.pick(this, mask);
  },
  omit(mask) {
    return util_exports.omit(this, mask);
  },
  partial(...args) {
    return util_exports.partial(ZodOptional, this, args[0]);
  },
  exactPartial(...args) {
    return util_exports.partial(ZodExactOptional, this, args[0], "exactPartial");
  },
  required(...args) {
    return util_exports.required(ZodNonOptional, this, args[0]);
  }
});
function strictObject(shape, params) {
  return new ZodObject({
    type: "object",
    shape,
    catchall: never(),
    ...util_exports.normalizeParams(params)
  });
}
var ZodUnion = /* @__PURE__ */ $constructor("ZodUnion", (inst, def) => {
  $ZodUnion.init(inst, def);
  ZodType.init(inst, def);
  inst._zod.processJSONSchema = (ctx, json, params) => unionProcessor(inst, ctx, json, params);
  inst.options = def.options;
});
function union(options, params) {
  return new ZodUnion({
    type: "union",
    options,
    ...util_exports.normalizeParams(params)
  });
}
var ZodIntersection = /* @__PURE__ */ $constructor("ZodIntersection", (inst, def) => {
  $ZodIntersection.init(inst, def);
  ZodType.init(inst, def);
  inst._zod.processJSONSchema = (ctx, json, params) => intersectionProcessor(inst, ctx, json, params);
});
function intersection(left, right) {
  return new ZodIntersection({
    type: "intersection",
    left,
    right
  });
}
var ZodRecord = /* @__PURE__ */ $constructor("ZodRecord", (inst, def) => {
  _ensureDefaultMemoizer();
  $ZodRecord.init(inst, def);
  ZodType.init(inst, def);
  inst._zod.processJSONSchema = (ctx, json, params) => recordProcessor(inst, ctx, json, params);
  inst.keyType = def.keyType;
  inst.valueType = def.valueType;
});
function record(keyType, valueType, params) {
  if (!valueType || !valueType._zod) {
    return new ZodRecord({
      type: "record",
      keyType: string2(),
      valueType: keyType,
      ...util_exports.normalizeParams(valueType)
    });
  }
  return new ZodRecord({
    type: "record",
    keyType,
    valueType,
    ...util_exports.normalizeParams(params)
  });
}
var ZodEnum = /* @__PURE__ */ $constructor("ZodEnum", (inst, def) => {
  $ZodEnum.init(inst, def);
  ZodType.init(inst, def);
  inst._zod.processJSONSchema = (ctx, json, params) => enumProcessor(inst, ctx, json, params);
  inst.enum = def.entries;
  inst.options = [...inst._zod.values];
  const keys = new Set(Object.keys(def.entries));
  inst.extract = (values, params) => {
    const newEntries = {};
    for (const value of values) {
      if (keys.has(value)) {
        newEntries[value] = def.entries[value];
      } else
        throw new Error(`Key ${value} not found in enum`);
    }
    return new ZodEnum({
      ...def,
      checks: [],
      ...util_exports.normalizeParams(params),
      entries: newEntries
    });
  };
  inst.exclude = (values, params) => {
    const newEntries = { ...def.entries };
    for (const value of values) {
      if (keys.has(value)) {
        delete newEntries[value];
      } else
        throw new Error(`Key ${value} not found in enum`);
    }
    return new ZodEnum({
      ...def,
      checks: [],
      ...util_exports.normalizeParams(params),
      entries: newEntries
    });
  };
});
function _enum(values, params) {
  const entries = Array.isArray(values) ? Object.fromEntries(values.map((v) => [v, v])) : values;
  return new ZodEnum({
    type: "enum",
    entries,
    ...util_exports.normalizeParams(params)
  });
}
var ZodTransform = /* @__PURE__ */ $constructor("ZodTransform", (inst, def) => {
  _ensureDefaultMemoizer();
  $ZodTransform.init(inst, def);
  ZodType.init(inst, def);
  inst._zod.processJSONSchema = (ctx, json, params) => transformProcessor(inst, ctx, json, params);
  inst._zod.parse = (payload, _ctx) => {
    if (_ctx.direction === "backward") {
      throw new $ZodEncodeError(inst.constructor.name);
    }
    payload.addIssue = (issue2) => {
      if (typeof issue2 === "string") {
        payload.issues.push(util_exports.issue(issue2, payload.value, def));
      } else {
        const _issue = issue2;
        if (_issue.fatal)
          _issue.continue = false;
        _issue.code ?? (_issue.code = "custom");
        if (!("input" in _issue))
          _issue.input = payload.value;
        _issue.inst ?? (_issue.inst = inst);
        payload.issues.push(util_exports.issue(_issue));
      }
    };
    const output = def.transform(payload.value, payload);
    if (output instanceof Promise) {
      return output.then((output2) => {
        payload.value = output2;
        return payload;
      });
    }
    payload.value = output;
    return payload;
  };
});
function transform(fn) {
  return new ZodTransform({
    type: "transform",
    transform: fn
  });
}
var ZodOptional = /* @__PURE__ */ $constructor("ZodOptional", (inst, def) => {
  $ZodOptional.init(inst, def);
  ZodType.init(inst, def);
  inst._zod.processJSONSchema = (ctx, json, params) => optionalProcessor(inst, ctx, json, params);
  inst.unwrap = () => inst._zod.def.innerType;
});
function optional(innerType) {
  return new ZodOptional({
    type: "optional",
    innerType
  });
}
var ZodExactOptional = /* @__PURE__ */ $constructor("ZodExactOptional", (inst, def) => {
  $ZodExactOptional.init(inst, def);
  ZodType.init(inst, def);
  inst._zod.processJSONSchema = (ctx, json, params) => optionalProcessor(inst, ctx, json, params);
  inst.unwrap = () => inst._zod.def.innerType;
});
function exactOptional(innerType) {
  return new ZodExactOptional({
    type: "optional",
    innerType
  });
}
var ZodNullable = /* @__PURE__ */ $constructor("ZodNullable", (inst, def) => {
  $ZodNullable.init(inst, def);
  ZodType.init(inst, def);
  inst._zod.processJSONSchema = (ctx, json, params) => nullableProcessor(inst, ctx, json, params);
  inst.unwrap = () => inst._zod.def.innerType;
});
function nullable(innerType) {
  return new ZodNullable({
    type: "nullable",
    innerType
  });
}
var ZodDefault = /* @__PURE__ */ $constructor("ZodDefault", (inst, def) => {
  $ZodDefault.init(inst, def);
  ZodType.init(inst, def);
  inst._zod.processJSONSchema = (ctx, json, params) => defaultProcessor(inst, ctx, json, params);
  inst.unwrap = () => inst._zod.def.innerType;
  inst.removeDefault = inst.unwrap;
});
function _default(innerType, defaultValue) {
  return new ZodDefault({
    type: "default",
    innerType,
    get defaultValue() {
      return typeof defaultValue === "function" ? defaultValue() : util_exports.shallowClone(defaultValue);
    }
  });
}
var ZodPrefault = /* @__PURE__ */ $constructor("ZodPrefault", (inst, def) => {
  $ZodPrefault.init(inst, def);
  ZodType.init(inst, def);
  inst._zod.processJSONSchema = (ctx, json, params) => prefaultProcessor(inst, ctx, json, params);
  inst.unwrap = () => inst._zod.def.innerType;
});
function prefault(innerType, defaultValue) {
  return new ZodPrefault({
    type: "prefault",
    innerType,
    get defaultValue() {
      return typeof defaultValue === "function" ? defaultValue() : util_exports.shallowClone(defaultValue);
    }
  });
}
var ZodNonOptional = /* @__PURE__ */ $constructor("ZodNonOptional", (inst, def) => {
  $ZodNonOptional.init(inst, def);
  ZodType.init(inst, def);
  inst._zod.processJSONSchema = (ctx, json, params) => nonoptionalProcessor(inst, ctx, json, params);
  inst.unwrap = () => inst._zod.def.innerType;
});
function nonoptional(innerType, params) {
  return new ZodNonOptional({
    type: "nonoptional",
    innerType,
    ...util_exports.normalizeParams(params)
  });
}
var ZodCatch = /* @__PURE__ */ $constructor("ZodCatch", (inst, def) => {
  $ZodCatch.init(inst, def);
  ZodType.init(inst, def);
  inst._zod.processJSONSchema = (ctx, json, params) => catchProcessor(inst, ctx, json, params);
  inst.unwrap = () => inst._zod.def.innerType;
  inst.removeCatch = inst.unwrap;
});
function _catch(innerType, catchValue) {
  return new ZodCatch({
    type: "catch",
    innerType,
    catchValue: typeof catchValue === "function" ? catchValue : util_exports.constantCatch(catchValue)
  });
}
var ZodPipe = /* @__PURE__ */ $constructor("ZodPipe", (inst, def) => {
  $ZodPipe.init(inst, def);
  ZodType.init(inst, def);
  inst._zod.processJSONSchema = (ctx, json, params) => pipeProcessor(inst, ctx, json, params);
  inst.in = def.in;
  inst.out = def.out;
});
function pipe(in_, out) {
  return new ZodPipe({
    type: "pipe",
    in: in_,
    out
    // ...util.normalizeParams(params),
  });
}
var ZodReadonly = /* @__PURE__ */ $constructor("ZodReadonly", (inst, def) => {
  $ZodReadonly.init(inst, def);
  ZodType.init(inst, def);
  inst._zod.processJSONSchema = (ctx, json, params) => readonlyProcessor(inst, ctx, json, params);
  inst.unwrap = () => inst._zod.def.innerType;
});
function readonly(innerType) {
  return new ZodReadonly({
    type: "readonly",
    innerType
  });
}
var ZodCustom = /* @__PURE__ */ $constructor("ZodCustom", (inst, def) => {
  $ZodCustom.init(inst, def);
  ZodType.init(inst, def);
  inst._zod.processJSONSchema = (ctx, json, params) => customProcessor(inst, ctx, json, params);
});
function refine(fn, _params = {}) {
  return _refine(ZodCustom, fn, _params);
}
function superRefine(fn, params) {
  return _superRefine(fn, params);
}

// src/config/schema.ts
function show(value) {
  let text;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = Array.isArray(value) ? "a nested list" : typeof value;
  }
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
function nulBytePlaces(value) {
  const seen = /* @__PURE__ */ new Set();
  const places = [];
  const walk = (item, at, depth) => {
    if (places.length >= 20) return;
    if (typeof item === "string") {
      if (item.includes("\0")) places.push(`${at || "(top level)"}: contains a NUL byte, which no command, environment value or path can carry`);
      return;
    }
    if (item === null || typeof item !== "object" || depth > 64 || seen.has(item)) return;
    seen.add(item);
    for (const [key, child] of Object.entries(item)) {
      const where2 = Array.isArray(item) ? `${at}[${key}]` : at ? `${at}.${key}` : key;
      if (key.includes("\0")) places.push(`${show(where2)}: a key contains a NUL byte`);
      else walk(child, where2, depth + 1);
      if (places.length >= 20) return;
    }
  };
  walk(value, "", 0);
  return places;
}
var size = union([number2(), string2()]).superRefine((value, ctx) => {
  if (parseSize(value) === void 0) {
    ctx.addIssue({ code: "custom", message: `expected a size like 512m or 2g, got ${show(value)}` });
  }
});
var duration2 = union([number2(), string2()]).superRefine((value, ctx) => {
  const ms = parseDuration(value);
  if (ms === void 0) ctx.addIssue({ code: "custom", message: `expected a duration like 90s, 10m or 1h, got ${show(value)}` });
  else if (ms > MAX_TIMEOUT_MS) ctx.addIssue({ code: "custom", message: `expected at most 365 days, got ${show(value)}` });
});
var cpus = union([number2(), string2()]).superRefine((value, ctx) => {
  const count = Number(value);
  if (!Number.isFinite(count) || count < 0.01 || count > 1e5) {
    ctx.addIssue({ code: "custom", message: `expected a number of CPUs from 0.01 up, like 2 or 0.5, got ${show(value)}` });
  }
});
var pids = number2({ error: (issue2) => `expected a whole number of processes like 512, got ${show(issue2.input)}` }).int().positive().max(4194304, { error: "expected at most 4194304 processes (the kernel maximum)" });
var envValue = union([string2(), number2(), boolean2()]);
var envName = string2().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { error: (issue2) => `expected an environment variable name, got ${show(issue2.input)}` });
var env = record(envName, envValue);
var stringList = union([string2(), array(string2())]);
var JOB_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/;
var setupStep = strictObject({
  run: string2().min(1),
  inputs: array(string2().min(1)).optional(),
  env: env.optional(),
  /** Setup steps download (npm ci): `outbound` by default (out, but not to the host's loopback); `host` only when asked for; `none`. */
  network: _enum(["none", "host", "outbound"], { error: (issue2) => `expected "none", "host" or "outbound", got ${show(issue2.input)}` }).optional()
});
var command = union([string2().min(1), array(string2()).min(1)], {
  error: (issue2) => `expected a command string or an argv list, got ${show(issue2.input)}`
});
var testFiles = union([string2().min(1), array(string2().min(1)).min(1)], {
  error: (issue2) => `expected a glob or a list of globs of test files, like tests/**/test_*.py, got ${show(issue2.input)}`
});
var cacheList = array(
  string2().regex(/^(~\/|\/)./, { error: (issue2) => `expected an absolute path or one under ~/, like ~/.npm, got ${show(issue2.input)}` })
);
var limitKeys = {
  memory: size.optional().describe("Memory limit (memory.max, swap off): 512m, 2g"),
  /** The job's writes (its upper layers) live on a tmpfs of this size. */
  disk: size.optional().describe("Size of the tmpfs the job's writes live on: 1g"),
  cpus: cpus.optional().describe("CPU quota: 2, or 0.5"),
  pids: pids.optional().describe("Processes and threads at most"),
  timeout: duration2.optional().describe("Wall-clock limit: 90s, 10m, 1h")
};
var networkMode = _enum(["none", "host", "outbound"], { error: (issue2) => `expected "none", "host" or "outbound", got ${show(issue2.input)}` });
var SERVICE_NAME = /^[a-z0-9][a-z0-9_-]{0,30}$/;
var user = union([number2().int().min(0), string2().regex(/^\d+(:\d+)?$/)], {
  error: (issue2) => `expected a numeric UID or UID:GID like 1000:1000, got ${show(issue2.input)}`
});
var serviceSchema = strictObject({
  image: string2().min(1).optional(),
  setup: array(setupStep).optional(),
  run: command,
  env: env.optional(),
  user: user.optional(),
  /** Must pass before the job starts: run in a sandbox of the service's filesystem, on its network. */
  health: strictObject({
    command,
    interval: duration2.optional(),
    retries: number2().int().min(1).max(1e3).optional()
  }).optional(),
  needs: array(string2()).optional(),
  memory: size.optional(),
  cpus: cpus.optional(),
  pids: pids.optional()
});
var jobSchema = strictObject({
  image: string2().min(1).optional().describe("The base image: a registry reference (node:22-bookworm), debian:<suite>, oci:DIR, oci-archive:PATH or docker-archive:PATH"),
  preset: string2().min(1).optional().describe("A preset (node, python, go, ...) that gives setup, run, env, junit, testFiles and caches; the job's own keys win"),
  setup: array(setupStep).optional().describe("Cached layers built before the job, like Dockerfile RUN lines; a step sees only its inputs"),
  run: command.optional().describe("The command: a string runs under /bin/sh -c, a list is an argv"),
  env: env.optional().describe("Environment variables of the job (besides PATH, HOME, TERM, LANG and CI)"),
  network: networkMode.optional().describe("none (default): loopback only; outbound: out, but not to the host's loopback; host: the host's network"),
  junit: stringList.optional().describe("Globs of the JUnit XML reports the job writes, copied out and merged"),
  artifacts: stringList.optional().describe("Globs of files copied out of the sandbox into cubicle-artifacts/JOB/"),
  testFiles: testFiles.optional().describe("Globs of the test files --shard-by test splits between shards: * ? ** [a-z] [!a-z], and !PAT to exclude"),
  caches: cacheList.optional().describe("Directories kept between runs (~/.npm): absolute or under ~/"),
  needs: array(string2()).optional().describe("Jobs that must pass before this one starts"),
  services: record(string2(), serviceSchema).optional().describe("Services (a database) started beside the job in its network namespace"),
  user: user.optional().describe("UID[:GID] the command runs as inside (default root)"),
  retries: number2().int().min(0).max(10).optional().describe("Runs again after a failure, up to this many times; a pass after a failure is flaky"),
  /** `unconfined` turns the default syscall filter off for this job (shown in its report). */
  seccomp: _enum(["default", "unconfined"], { error: (issue2) => `expected "default" or "unconfined", got ${show(issue2.input)}` }).optional().describe("default: a Docker-like syscall filter; unconfined: none"),
  ...limitKeys
}).superRefine((job, ctx) => {
  if (job.run === void 0 && job.preset === void 0)
    ctx.addIssue({ code: "custom", path: ["run"], message: "missing: every job needs a `run` command, or a `preset` that gives one" });
});
var defaultsSchema = strictObject({
  image: string2().min(1).optional(),
  network: networkMode.optional(),
  env: env.optional(),
  retries: number2().int().min(0).max(10).optional(),
  ...limitKeys
});
var configSchema = strictObject({
  defaults: defaultsSchema.optional(),
  jobs: record(string2(), jobSchema).refine((jobs) => Object.keys(jobs).length > 0, { message: "no jobs: add at least one job under `jobs:`" }),
  insecureRegistries: array(string2()).optional()
});
var presetKeys = {
  setup: array(setupStep).optional(),
  run: command.optional(),
  env: env.optional(),
  junit: stringList.optional(),
  testFiles: testFiles.optional(),
  caches: cacheList.optional()
};
var checkoutFile = string2().regex(/^(?!\/)(?!.*(^|\/)\.\.(\/|$))[^*?[\]{}]+$/, {
  error: (issue2) => `expected a plain path relative to the checkout (no glob, no ..), got ${show(issue2.input)}`
});
var presetCondition = strictObject({
  /** Holds when any of these exists. */
  exists: union([checkoutFile, array(checkoutFile).min(1)]).optional(),
  /** Holds when each file exists and contains its text. */
  contains: record(checkoutFile, string2().min(1)).optional()
}).refine((when) => when.exists !== void 0 || when.contains !== void 0, { error: "expected `exists` or `contains`" });
var presetSchema = strictObject({
  description: string2().min(1),
  ...presetKeys,
  /** Variants: each key comes from the first entry whose `when` holds and that sets it, else from above. */
  detect: array(strictObject({ when: presetCondition, ...presetKeys })).optional()
});
var PRESET_KEYS = ["setup", "run", "env", "junit", "testFiles", "caches"];
var JOB_KEYS = Object.keys(jobSchema.shape);
var DEFAULTS_KEYS = Object.keys(defaultsSchema.shape);
var TOP_KEYS = Object.keys(configSchema.shape);
function knownKeysAt(at) {
  let schemas = [configSchema];
  for (const segment of at) schemas = schemas.flatMap((schema) => childSchemas(schema, segment));
  return [...new Set(schemas.flatMap((schema) => objectShapes(schema).flatMap((shape) => Object.keys(shape))))];
}
function unwrap(schema) {
  const def = schema._zod.def;
  if (def.type === "optional" || def.type === "nullable" || def.type === "default") return unwrap(def.innerType);
  if (def.type === "union") return def.options.flatMap(unwrap);
  if (def.type === "pipe") return unwrap(def.in);
  return [schema];
}
function objectShapes(schema) {
  return unwrap(schema).flatMap((inner) => {
    const def = inner._zod.def;
    return def.type === "object" && def.shape ? [def.shape] : [];
  });
}
function childSchemas(schema, segment) {
  return unwrap(schema).flatMap((inner) => {
    const def = inner._zod.def;
    if (def.type === "object" && typeof segment === "string" && def.shape?.[segment]) return [def.shape[segment]];
    if (def.type === "record" && def.valueType) return [def.valueType];
    if (def.type === "array" && def.element && typeof segment === "number") return [def.element];
    return [];
  });
}

// src/config/presets.ts
var PRESETS_DIR = path14.join(PACKAGE_ROOT, "presets");
var PRESET_NAME = /^[a-z0-9][a-z0-9-]*$/;
function availablePresets(dir = PRESETS_DIR) {
  let files;
  try {
    files = fs18.readdirSync(dir);
  } catch {
    return [];
  }
  return files.filter((file) => file.endsWith(".yaml")).map((file) => file.slice(0, -".yaml".length)).filter((name) => PRESET_NAME.test(name)).sort();
}
function lookUpPreset(name, projectDir, dir = PRESETS_DIR) {
  const file = path14.join(dir, `${name}.yaml`);
  if (!PRESET_NAME.test(name) || !fs18.existsSync(file)) {
    const names = availablePresets(dir);
    return {
      problem: `unknown preset "${name}": the presets are ${names.length ? names.map((known) => `"${known}"`).join(", ") : `none (${dir} is missing or empty)`}`
    };
  }
  let raw;
  try {
    raw = parseYamlSync(fs18.readFileSync(file, "utf8"));
  } catch (error2) {
    return { problem: `preset "${name}" (${file}) cannot be read: ${error2.message.split("\n")[0]}` };
  }
  const parsed = presetSchema.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((issue2) => `${issue2.path.map(String).join(".") || "(top level)"}: ${issue2.message}`);
    return { problem: `preset "${name}" (${file}) is invalid: ${issues.join("; ")}` };
  }
  return { keys: presetKeysFor(parsed.data, projectDir) };
}
function presetKeysFor(preset, projectDir) {
  const keys = {};
  const take = (source) => {
    for (const key of PRESET_KEYS) if (keys[key] === void 0 && source[key] !== void 0) Object.assign(keys, { [key]: source[key] });
  };
  for (const variant of preset.detect ?? []) if (conditionHolds(variant.when, projectDir)) take(variant);
  take(preset);
  const present = (inputs) => inputs.filter((input) => isPresent(input, projectDir));
  if (keys.setup) keys.setup = keys.setup.map((step) => step.inputs ? { ...step, inputs: present(step.inputs) } : step);
  return keys;
}
function isPresent(input, projectDir) {
  return /[*?[\]{}()!]/.test(input) || fs18.existsSync(path14.join(projectDir, input));
}
function mergePreset(job, preset) {
  const merged = { ...job };
  if (job.setup === void 0 && preset.setup !== void 0) merged.setup = preset.setup;
  if (job.run === void 0 && preset.run !== void 0) merged.run = preset.run;
  if (job.junit === void 0 && preset.junit !== void 0) merged.junit = preset.junit;
  if (job.testFiles === void 0 && job.run === void 0 && preset.testFiles !== void 0) merged.testFiles = preset.testFiles;
  if (preset.env !== void 0) merged.env = { ...preset.env, ...job.env };
  if (preset.caches !== void 0) merged.caches = [.../* @__PURE__ */ new Set([...preset.caches, ...job.caches ?? []])];
  return merged;
}
function conditionHolds(when, projectDir) {
  if (when.exists !== void 0) {
    const candidates = typeof when.exists === "string" ? [when.exists] : when.exists;
    if (!candidates.some((file) => fs18.existsSync(path14.join(projectDir, file)))) return false;
  }
  for (const [file, text] of Object.entries(when.contains ?? {})) {
    let content;
    try {
      content = fs18.readFileSync(path14.join(projectDir, file), "utf8");
    } catch {
      return false;
    }
    if (!content.includes(text)) return false;
  }
  return true;
}
function parseYamlSync(text) {
  return load(text);
}

// src/config/cache-destination.ts
import path15 from "node:path";
var SYSTEM_TREES = ["/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/etc", "/proc", "/sys", "/dev", "/boot", "/var/lib"];
function cacheDestinationProblem(dest, context) {
  const normal = path15.posix.normalize(dest);
  if (normal === "/") return "would hide the whole filesystem";
  const within = (parent) => normal === parent || normal.startsWith(`${parent}/`);
  const above = (child) => child === normal || child.startsWith(`${normal}/`);
  const system = SYSTEM_TREES.find((tree) => within(tree) || above(tree));
  if (system) return `would shadow the system directory ${system}`;
  const checkout = path15.posix.normalize(context.projectDir);
  if (above(checkout)) return `would shadow the checkout ${checkout}, where the job runs`;
  if (context.home && above(path15.posix.normalize(context.home))) return `would shadow the home directory ${context.home}`;
  return null;
}
function cacheEntryProblem(entry, projectDir) {
  if (entry.startsWith("~/")) {
    const tail = path15.posix.normalize(entry.slice(2));
    if (tail === "." || tail === ".." || tail.startsWith("../")) return "is the home directory itself or leaves it";
    return null;
  }
  return cacheDestinationProblem(entry, { projectDir });
}

// src/image/debian.ts
var DEBIAN_IMAGE = /^debian:([a-z][a-z0-9-]*)$/;

// src/image/oci/image-errors.ts
var ImageError = class extends CubicleError {
};
var InvalidImageRefError = class extends ImageError {
  code = "INVALID_IMAGE_REF";
  text;
  constructor(text, why, options = {}) {
    super(`invalid image reference ${JSON.stringify(text)}: ${why}; nothing was pulled`, {
      hint: options.hint ?? "write it as NAME[:TAG][@sha256:DIGEST] (node:22-bookworm, ghcr.io/owner/repo:tag, localhost:5000/app@sha256:...), or oci:DIR[:REF], oci-archive:FILE[:REF], docker-archive:FILE[:REF]",
      cause: options.cause
    });
    this.text = text;
  }
};

// src/image/oci/ref.ts
var DOCKER_HUB_REGISTRY = "registry-1.docker.io";
var DOCKER_HUB_NAMES = /* @__PURE__ */ new Set(["docker.io", "index.docker.io", DOCKER_HUB_REGISTRY]);
var LOCAL_TRANSPORTS = ["oci", "oci-archive", "docker-archive"];
var DOMAIN_LABEL = "(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])";
var DOMAIN = new RegExp(`^(?:${DOMAIN_LABEL}(?:\\.${DOMAIN_LABEL})*|\\[[a-fA-F0-9:]+\\])(?::[0-9]+)?$`);
var PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
var TAG = /^[\w][\w.-]{0,127}$/;
var DIGEST = /^sha256:[a-f0-9]{64}$/;
var MAX_NAME_LENGTH = 255;
function parseImageRef(text) {
  if (typeof text !== "string" || text.length === 0) throw new InvalidImageRefError(String(text), "it is empty");
  if (/\s/.test(text)) throw new InvalidImageRefError(text, "it contains whitespace");
  const transport = LOCAL_TRANSPORTS.find((name) => text.startsWith(`${name}:`));
  if (transport) return parseLocalRef(text, transport);
  return parseRegistryRef(text, text.startsWith("docker://") ? text.slice("docker://".length) : text);
}
function parseLocalRef(text, transport) {
  const rest = text.slice(transport.length + 1);
  const colon = rest.indexOf(":");
  const path22 = colon === -1 ? rest : rest.slice(0, colon);
  const reference = colon === -1 ? void 0 : rest.slice(colon + 1);
  if (!path22) throw new InvalidImageRefError(text, `${transport}: needs a path`);
  if (reference === "") throw new InvalidImageRefError(text, "the reference after the path is empty");
  return { transport, path: path22, reference };
}
function parseRegistryRef(text, ref) {
  const at = ref.indexOf("@");
  const digest = at === -1 ? void 0 : ref.slice(at + 1);
  const nameAndTag = at === -1 ? ref : ref.slice(0, at);
  if (digest !== void 0 && !DIGEST.test(digest)) {
    throw new InvalidImageRefError(text, `${JSON.stringify(digest)} is not a digest of the form sha256:<64 lowercase hex digits>`);
  }
  const tagColon = nameAndTag.lastIndexOf(":");
  const hasTag = tagColon > nameAndTag.lastIndexOf("/");
  const name = hasTag ? nameAndTag.slice(0, tagColon) : nameAndTag;
  const tag = hasTag ? nameAndTag.slice(tagColon + 1) : void 0;
  if (tag !== void 0 && !TAG.test(tag)) {
    throw new InvalidImageRefError(text, `${JSON.stringify(tag)} is not a valid tag (letters, digits, _ . -, at most 128, not starting with . or -)`);
  }
  const { registry: registry2, repository } = splitName(text, name);
  return { transport: "docker", registry: registry2, repository, tag: tag ?? (digest ? void 0 : "latest"), digest };
}
function splitName(text, name) {
  if (!name) throw new InvalidImageRefError(text, "the image name is empty");
  if (name.length > MAX_NAME_LENGTH) throw new InvalidImageRefError(text, `the name is longer than ${MAX_NAME_LENGTH} characters`);
  const slash = name.indexOf("/");
  const first = slash === -1 ? "" : name.slice(0, slash);
  const isDomain = slash !== -1 && (/[.:[]/.test(first) || first === "localhost" || first !== first.toLowerCase());
  let registry2 = isDomain ? first : DOCKER_HUB_REGISTRY;
  let repository = isDomain ? name.slice(slash + 1) : name;
  if (isDomain && !DOMAIN.test(registry2)) throw new InvalidImageRefError(text, `${JSON.stringify(registry2)} is not a valid registry host[:port]`);
  if (DOCKER_HUB_NAMES.has(registry2.toLowerCase())) registry2 = DOCKER_HUB_REGISTRY;
  if (registry2 === DOCKER_HUB_REGISTRY && !repository.includes("/")) repository = `library/${repository}`;
  for (const component of repository.split("/")) {
    if (PATH_COMPONENT.test(component)) continue;
    const why = component !== component.toLowerCase() ? "repository names must be lowercase" : "use lowercase letters, digits and single . _ __ or - between them";
    throw new InvalidImageRefError(text, `${JSON.stringify(component || "(empty)")} is not a valid name component: ${why}`);
  }
  return { registry: registry2, repository };
}
function formatImageRef(ref) {
  if (ref.transport !== "docker") return `${ref.transport}:${ref.path}${ref.reference === void 0 ? "" : `:${ref.reference}`}`;
  const domain = ref.registry === DOCKER_HUB_REGISTRY ? "docker.io" : ref.registry;
  return `${domain}/${ref.repository}${ref.tag === void 0 ? "" : `:${ref.tag}`}${ref.digest === void 0 ? "" : `@${ref.digest}`}`;
}

// src/config/did-you-mean.ts
function closest(word, candidates) {
  let best;
  let bestDistance = Math.max(3, Math.ceil(word.length / 3) + 1);
  for (const candidate of candidates) {
    if (candidate === word) continue;
    const distance = editDistance(word.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}
function didYouMean(word, candidates, quote = (name) => `"${name}"`) {
  const guess = closest(word, candidates);
  return guess === void 0 ? "" : ` (did you mean ${quote(guess)}?)`;
}
function editDistance(a, b) {
  const rows = [Array.from({ length: b.length + 1 }, (_, j) => j)];
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      let best = Math.min(rows[i - 1][j] + 1, row[j - 1] + 1, rows[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, rows[i - 2][j - 2] + 1);
      row[j] = best;
    }
    rows.push(row);
  }
  return rows[a.length][b.length];
}

// src/config/test-glob.ts
var GlobProblem = class extends Error {
};
function compileTestGlob(pattern) {
  const exclude = pattern.startsWith("!");
  let body = exclude ? pattern.slice(1) : pattern;
  if (pattern.trim() === "") throw new GlobProblem("an empty pattern matches nothing; remove it");
  if (exclude && body === "") throw new GlobProblem('a lone "!" excludes nothing; write the files to exclude after it, like !tests/slow_*.py');
  if (body.startsWith("!")) throw new GlobProblem('"!!" is not a pattern: one leading "!" excludes, and "\\!" is a literal "!"');
  body = body.replace(/^(\.\/)+/, "");
  if (body.startsWith("/")) throw new GlobProblem("an absolute path is outside the checkout; test files are globs relative to it, like tests/**/test_*.py");
  const segments = body.split("/");
  if (segments.includes("..")) throw new GlobProblem('".." leaves the checkout; test files are globs relative to it, like tests/**/test_*.py');
  if (body === "" || segments.some((segment) => segment === "")) {
    throw new GlobProblem(`an empty path segment (a trailing "/" or "//") names no file; to take a directory's files write DIR/**/*`);
  }
  const parts = [];
  const baseSegments = [];
  let globbing = false;
  segments.forEach((segment, index) => {
    const last = index === segments.length - 1;
    if (segment === "**") {
      globbing = true;
      parts.push(last ? "(?:(?!\\.)[^/]+/)*(?!\\.)[^/]+" : "(?:(?!\\.)[^/]+/)*");
      return;
    }
    const compiled = compileSegment(segment);
    if (compiled.glob) globbing = true;
    else if (!globbing && !last) baseSegments.push(compiled.text);
    parts.push(compiled.regex + (last ? "" : "/"));
  });
  return { pattern, exclude, base: baseSegments.join("/"), literal: !globbing, regex: new RegExp(`^${parts.join("")}$`) };
}
var EXTGLOB = /[@!+*?]\(/;
function compileSegment(segment) {
  if (segment.includes("**")) throw new GlobProblem('"**" matches whole path segments only, as in tests/**/test_*.py; inside a segment write "*"');
  if (EXTGLOB.test(segment)) throw new GlobProblem('extglobs like @(a|b) or !(a) are not supported; list each pattern, and exclude with a leading "!"');
  let regex = "";
  let text = "";
  let glob = false;
  for (let i = 0; i < segment.length; i++) {
    const char = segment[i];
    const atStart = i === 0;
    if (char === "\\") {
      const next = segment[i + 1];
      if (next === void 0) throw new GlobProblem('a trailing "\\" escapes nothing');
      regex += escapeRegex2(next);
      text += next;
      i++;
    } else if (char === "{" || char === "}") {
      throw new GlobProblem("braces {a,b} are not supported; list each pattern instead (testFiles takes a list)");
    } else if (char === "*") {
      regex += `${atStart ? "(?!\\.)" : ""}[^/]*`;
      glob = true;
    } else if (char === "?") {
      regex += `${atStart ? "(?!\\.)" : ""}[^/]`;
      glob = true;
    } else if (char === "[") {
      const end = classEnd(segment, i);
      regex += `${atStart ? "(?!\\.)" : ""}${compileClass(segment.slice(i + 1, end))}`;
      glob = true;
      i = end;
    } else {
      regex += escapeRegex2(char);
      text += char;
    }
  }
  return { regex, glob, text };
}
function classEnd(segment, open2) {
  let i = open2 + 1;
  if (segment[i] === "!" || segment[i] === "^") i++;
  if (segment[i] === "]") i++;
  for (; i < segment.length; i++) {
    if (segment[i] === "\\") i++;
    else if (segment[i] === "]") return i;
  }
  throw new GlobProblem('an unclosed "[" (a set of characters like [a-z] needs its "]"; "\\[" is a literal "[")');
}
function compileClass(inner) {
  if (inner.startsWith("[:") || inner.includes("[:")) throw new GlobProblem("POSIX classes like [[:alpha:]] are not supported; write the set, like [a-zA-Z]");
  const negated = inner.startsWith("!") || inner.startsWith("^");
  const members2 = negated ? inner.slice(1) : inner;
  let out = "";
  for (let i = 0; i < members2.length; i++) {
    const char = members2[i];
    if (char === "\\" && i + 1 < members2.length) out += `\\${members2[++i]}`.replace(/^\\([A-Za-z0-9])$/, "$1");
    else if (char === "-" && i > 0 && i < members2.length - 1) out += "-";
    else out += /[\\\][^-]/.test(char) ? `\\${char}` : char;
  }
  return negated ? `[^/${out}]` : `[${out}]`;
}
function escapeRegex2(text) {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
}
function testGlobProblems(patterns) {
  const problems = [];
  let included = false;
  for (const pattern of patterns) {
    try {
      const glob = compileTestGlob(pattern);
      if (glob.exclude && !included)
        problems.push(`"${pattern}": an exclusion removes files the patterns before it matched, and none comes before it; put it after them`);
      if (!glob.exclude) included = true;
    } catch (error2) {
      if (!(error2 instanceof GlobProblem)) throw error2;
      problems.push(`"${pattern}": ${error2.message}`);
    }
  }
  return problems;
}

// src/config/resolve.ts
function resolveConfig(input) {
  const problems = nulBytePlaces(input.raw ?? {});
  if (problems.length > 0) throw new ConfigError(problems, { source: input.source });
  const parsed = configSchema.safeParse(input.raw ?? {});
  if (!parsed.success) {
    problems.push(...parsed.error.issues.flatMap(formatIssue));
    throw new ConfigError(problems, { source: input.source, hint: "See the configuration reference in README.md." });
  }
  const config2 = parsed.data;
  const flagLimits = readFlagLimits(input.flags ?? {}, problems);
  const defaults = { ...config2.defaults };
  const projectDir = input.projectDir ?? path16.dirname(input.source);
  const jobs = [];
  problems.push(...envPathProblems(config2.defaults?.env, "defaults.env"));
  if (config2.defaults?.image !== void 0) config2.defaults.image = confineLocalImage("defaults.image", config2.defaults.image, projectDir, problems);
  for (const [name, job] of Object.entries(config2.jobs)) {
    checkJob(name, job, config2, problems);
    confineJobPaths(name, job, projectDir, problems);
    const merged = withPreset(name, job, projectDir, input.presetsDir, problems);
    problems.push(...envPathProblems(merged.env, `jobs.${name}.env`).filter((problem) => !problems.includes(problem)));
    checkTestFiles(name, merged, problems);
    checkCaches(name, merged, projectDir, problems);
    jobs.push(resolveJob(name, merged, defaults, flagLimits));
  }
  checkNeeds(jobs, problems);
  for (const name of input.selected ?? []) {
    if (!jobs.some((job) => job.name === name)) {
      problems.push(
        `unknown job "${name}"${didYouMean(
          name,
          jobs.map((job) => job.name)
        )}: the config defines ${jobs.map((job) => `"${job.name}"`).join(", ")}`
      );
    }
  }
  if (problems.length > 0) throw new ConfigError(problems, { source: input.source });
  return Object.freeze({
    source: input.source,
    projectDir,
    jobs: Object.freeze(jobs),
    insecureRegistries: Object.freeze([...config2.insecureRegistries ?? []])
  });
}
function withPreset(name, job, projectDir, presetsDir, problems) {
  if (job.preset === void 0) return job;
  const preset = lookUpPreset(job.preset, projectDir, presetsDir);
  if ("problem" in preset) {
    problems.push(`jobs.${name}.preset: ${preset.problem}`);
    return job;
  }
  const merged = mergePreset(job, preset.keys);
  if (merged.run === void 0) problems.push(`jobs.${name}.run: missing: preset "${job.preset}" gives no \`run\` command; add one to the job`);
  return merged;
}
function checkTestFiles(name, job, problems) {
  for (const problem of testGlobProblems(asList(job.testFiles))) problems.push(`jobs.${name}.testFiles: ${problem}`);
  if (job.testFiles === void 0 || typeof job.run !== "string") return;
  if (!/\$[@*]|\$\{[@*]/.test(job.run)) {
    problems.push(
      `jobs.${name}.testFiles: the run script never uses "$@", where --shard-by test puts this shard's test files; add "$@" where the test runner takes paths (e.g. pytest "$@")`
    );
  }
}
function checkCaches(name, job, projectDir, problems) {
  for (const [index, entry] of (job.caches ?? []).entries()) {
    const problem = cacheEntryProblem(entry, projectDir);
    const why = "a cache is kept between runs and may only hold a tool's own cache dir, like ~/.npm";
    if (problem) problems.push(`jobs.${name}.caches.${index}: "${entry}" ${problem}; ${why}`);
  }
}
function resolveJob(name, job, defaults, flagLimits) {
  const env2 = {};
  for (const [key, value] of Object.entries({ ...defaults.env, ...job.env })) env2[key] = String(value);
  const defaultLimits = { ...limitsOf(defaults), ...flagLimits };
  return Object.freeze({
    name,
    image: job.image ?? defaults.image ?? "host",
    // No `run` only where a problem was recorded: the config is refused before the job is used.
    command: Object.freeze(typeof job.run === "string" ? ["/bin/sh", "-c", job.run] : [...job.run ?? []]),
    script: typeof job.run === "string",
    testFiles: Object.freeze(asList(job.testFiles)),
    env: Object.freeze(env2),
    network: job.network ?? defaults.network ?? "none",
    junit: Object.freeze(asList(job.junit)),
    artifacts: Object.freeze(asList(job.artifacts)),
    needs: Object.freeze([...job.needs ?? []]),
    retries: job.retries ?? defaults.retries ?? 0,
    limits: Object.freeze({ ...defaultLimits, ...limitsOf(job) }),
    setup: Object.freeze(
      (job.setup ?? []).map(
        (step) => Object.freeze({
          run: step.run,
          inputs: Object.freeze([...step.inputs ?? []]),
          env: Object.freeze(Object.fromEntries(Object.entries(step.env ?? {}).map(([key, value]) => [key, String(value)]))),
          // A network of the step's own: `host` (the runner's loopback, its services) only when asked for.
          network: step.network ?? "outbound"
        })
      )
    ),
    caches: Object.freeze([...job.caches ?? []]),
    seccomp: job.seccomp ?? "default",
    user: userOf(job.user),
    services: Object.freeze(
      Object.entries(job.services ?? {}).map(
        ([serviceName, service]) => resolveService(name, serviceName, service, defaults, job.network ?? defaults.network ?? "none")
      )
    )
  });
}
function userOf(value) {
  if (value === void 0) return null;
  const [uid, gid] = String(value).split(":").map(Number);
  return Object.freeze({ uid, gid: gid ?? uid });
}
var DEFAULT_HEALTH_INTERVAL_MS = 1e3;
var DEFAULT_HEALTH_RETRIES = 30;
function resolveService(jobName, name, service, defaults, jobNetwork) {
  const asJob = resolveJob(
    `${jobName}.${name}`,
    { ...service, network: jobNetwork === "host" ? "host" : "none", services: void 0 },
    { image: defaults.image },
    {}
  );
  const health = service.health ? Object.freeze({
    command: Object.freeze(typeof service.health.command === "string" ? ["/bin/sh", "-c", service.health.command] : [...service.health.command]),
    intervalMs: service.health.interval === void 0 ? DEFAULT_HEALTH_INTERVAL_MS : parseDuration(service.health.interval),
    retries: service.health.retries ?? DEFAULT_HEALTH_RETRIES
  }) : null;
  return Object.freeze({ name, job: asJob, health, needs: Object.freeze([...service.needs ?? []]) });
}
function limitsOf(source) {
  const limits = {};
  if (source.disk !== void 0) limits.diskBytes = parseSize(source.disk);
  if (source.memory !== void 0) limits.memoryBytes = parseSize(source.memory);
  if (source.cpus !== void 0) limits.cpus = Number(source.cpus);
  if (source.pids !== void 0) limits.pids = source.pids;
  if (source.timeout !== void 0) limits.timeoutMs = parseDuration(source.timeout);
  return limits;
}
function readFlagLimits(flags, problems) {
  const limits = {};
  if (flags.memory !== void 0) {
    const bytes = parseSize(flags.memory);
    if (bytes === void 0) problems.push(`--memory: expected a size like 512m or 2g, got ${JSON.stringify(flags.memory)}`);
    else limits.memoryBytes = bytes;
  }
  if (flags.cpus !== void 0) {
    const count = Number(flags.cpus);
    if (!Number.isFinite(count) || count <= 0) problems.push(`--cpus: expected a number of CPUs like 2 or 0.5, got ${JSON.stringify(flags.cpus)}`);
    else limits.cpus = count;
  }
  if (flags.pids !== void 0) {
    const count = Number(flags.pids);
    if (!Number.isSafeInteger(count) || count <= 0) problems.push(`--pids: expected a whole number of processes like 512, got ${JSON.stringify(flags.pids)}`);
    else limits.pids = count;
  }
  if (flags.timeout !== void 0) {
    const ms = parseDuration(flags.timeout);
    if (ms === void 0) problems.push(`--timeout: expected a duration like 90s, 10m or 1h, got ${JSON.stringify(flags.timeout)}`);
    else limits.timeoutMs = ms;
  }
  return limits;
}
function checkJob(name, job, config2, problems) {
  const at = `jobs.${name}`;
  if (!JOB_NAME.test(name)) {
    problems.push(`${at}: a job name must be 1-63 letters, digits, '.', '_' or '-', starting with a letter or digit`);
  }
  checkImage(`${at}.image`, job.image ?? config2.defaults?.image ?? "host", problems);
  const services = Object.entries(job.services ?? {});
  for (const [serviceName, service] of services) {
    const where2 = `${at}.services.${serviceName}`;
    if (!SERVICE_NAME.test(serviceName))
      problems.push(`${where2}: a service name must be 1-31 lowercase letters, digits, '_' or '-', starting with a letter or digit`);
    checkImage(`${where2}.image`, service.image ?? config2.defaults?.image ?? "host", problems);
    for (const need of service.needs ?? []) {
      if (need === serviceName) problems.push(`${where2}.needs: a service cannot need itself`);
      else if (!services.some(([other]) => other === need))
        problems.push(
          `${where2}.needs: unknown service "${need}"${didYouMean(
            need,
            services.map(([other]) => other)
          )}`
        );
    }
  }
  const order = serviceOrder(services.map(([serviceName, service]) => ({ name: serviceName, needs: service.needs ?? [] })));
  if (order === null) problems.push(`${at}.services: their needs form a cycle`);
}
function checkImage(where2, image, problems) {
  if (image === "host" || DEBIAN_IMAGE.test(image)) return;
  try {
    parseImageRef(image);
  } catch (error2) {
    problems.push(`${where2}: ${error2.message}`);
  }
}
function confineJobPaths(name, job, projectDir, problems) {
  const at = `jobs.${name}`;
  problems.push(...envPathProblems(job.env, `${at}.env`));
  for (const [index, step] of (job.setup ?? []).entries()) problems.push(...envPathProblems(step.env, `${at}.setup[${index}].env`));
  if (job.image !== void 0) job.image = confineLocalImage(`${at}.image`, job.image, projectDir, problems);
  for (const [serviceName, service] of Object.entries(job.services ?? {})) {
    const where2 = `${at}.services.${serviceName}`;
    problems.push(...envPathProblems(service.env, `${where2}.env`));
    for (const [index, step] of (service.setup ?? []).entries()) problems.push(...envPathProblems(step.env, `${where2}.setup[${index}].env`));
    if (service.image !== void 0) service.image = confineLocalImage(`${where2}.image`, service.image, projectDir, problems);
  }
}
function confineLocalImage(where2, image, projectDir, problems) {
  let ref;
  try {
    ref = parseImageRef(image);
  } catch {
    return image;
  }
  if (ref.transport === "docker") return image;
  const absolute = path16.resolve(projectDir, ref.path);
  if (!isBeneath(absolute, projectDir)) {
    problems.push(
      `${where2}: ${ref.transport}:${ref.path} is outside the checkout ${projectDir}; a config may read an image only from a layout or archive in it`
    );
    return image;
  }
  try {
    resolveBeneath(projectDir, path16.relative(projectDir, absolute) || ".", { allowMissing: true, notDone: "nothing was run" });
  } catch (error2) {
    if (!(error2 instanceof PathConfinementError)) throw error2;
    problems.push(`${where2}: ${ref.transport}:${ref.path} ${error2.message}`);
    return image;
  }
  return formatImageRef({ ...ref, path: absolute });
}
function serviceOrder(services) {
  const ordered = [];
  const done = /* @__PURE__ */ new Set();
  let progress = true;
  while (ordered.length < services.length && progress) {
    progress = false;
    for (const service of services) {
      if (done.has(service.name) || !service.needs.every((need) => done.has(need) || !services.some((other) => other.name === need))) continue;
      ordered.push(service);
      done.add(service.name);
      progress = true;
    }
  }
  return ordered.length === services.length ? ordered : null;
}
function checkNeeds(jobs, problems) {
  const byName = new Map(jobs.map((job) => [job.name, job]));
  for (const job of jobs) {
    for (const need of job.needs) {
      if (!byName.has(need))
        problems.push(
          `jobs.${job.name}.needs: unknown job "${need}"${didYouMean(need, byName.keys())}; the config defines ${[...byName.keys()].map((name) => `"${name}"`).join(", ")}`
        );
      if (need === job.name) problems.push(`jobs.${job.name}.needs: a job cannot need itself`);
    }
  }
  const state = /* @__PURE__ */ new Map();
  const visit = (name, trail) => {
    if (state.get(name) === "done") return;
    if (state.get(name) === "visiting") {
      const cycle = [...trail.slice(trail.indexOf(name)), name];
      problems.push(`jobs.${name}.needs: a cycle: ${cycle.join(" -> ")}`);
      return;
    }
    state.set(name, "visiting");
    for (const need of byName.get(name)?.needs ?? []) if (need !== name && byName.has(need)) visit(need, [...trail, name]);
    state.set(name, "done");
  };
  for (const job of jobs) visit(job.name, []);
}
function asList(value) {
  if (value === void 0) return [];
  return typeof value === "string" ? [value] : [...value];
}
function formatIssue(issue2) {
  const at = issue2.path.map(String).join(".") || "(top level)";
  if (issue2.code === "unrecognized_keys") {
    const known = knownKeysAt(issue2.path);
    return issue2.keys.map((key) => `${at}: unknown key "${key}"${didYouMean(key, known)}`);
  }
  if (issue2.code === "invalid_type" && issue2.input === void 0) return [`${at}: missing`];
  return [`${at}: ${issue2.message}`];
}

// src/config/load.ts
async function readConfigData(options) {
  const explicit = options.configPath ? path17.resolve(options.cwd, options.configPath) : void 0;
  let found2;
  try {
    found2 = await findConfig(options.cwd, explicit);
  } catch (error2) {
    const where2 = explicit ?? options.cwd;
    const reason = error2 instanceof Error ? error2.message : String(error2);
    const code = error2.code;
    if (code === CONFIG_IMPORT_REFUSED)
      throw new ConfigError([reason], {
        source: explicit,
        hint: "Put the whole config in one file; a code config may compute it from other files.",
        cause: error2
      });
    const missing = code === "ENOENT";
    throw new ConfigError([missing ? `${where2}: no such file` : `cannot read the config: ${describeSyntaxError(reason)}`], {
      source: explicit,
      hint: missing ? "Check the path given to --config." : "Fix the syntax error at the position shown.",
      cause: error2
    });
  }
  if (!found2 || found2.kind === "data" && found2.isEmpty) {
    throw new ConfigError([found2 ? `${found2.filepath} is empty` : `no cubicle config found in ${options.cwd} or its parents up to the project root`], {
      hint: "Create cubicle.config.yaml with a `jobs:` section (see README.md), or pass --config FILE."
    });
  }
  const source = path17.resolve(found2.filepath);
  if (found2.kind === "code") return { source, raw: await evaluateCodeConfig(source), evaluated: true };
  return { source, raw: found2.config, evaluated: false };
}
function resolveConfigData(data, options = {}) {
  try {
    return resolveConfig({ raw: data.raw, source: data.source, flags: options.flags ?? {}, selected: options.selected ?? [] });
  } catch (error2) {
    if (error2 instanceof RangeError) throw new ConfigError([`${data.source}: nested too deeply to read (${error2.message})`], { source: data.source });
    throw error2;
  }
}
function describeSyntaxError(message) {
  const lines = message.split("\n").map((line) => line.trim()).filter(Boolean);
  const head = lines[0] ?? message;
  const isExcerpt = (line) => /^(>\s*)?\d*\s*\|/.test(line) || /^-*\^$/.test(line);
  const reason = lines.slice(1).find((line) => !isExcerpt(line))?.replace(/ while parsing '.*$/, "");
  return (reason ? `${head} ${reason}` : head).slice(0, 300);
}

// src/run/stage-inputs.ts
import { createHash } from "node:crypto";
import fs20 from "node:fs";
import path19 from "node:path";

// src/plan/checkout-walk.ts
import fs19 from "node:fs";
import path18 from "node:path";
function existsBeneath(projectDir, relative) {
  try {
    resolveBeneath(projectDir, relative, { followFinal: false });
    return true;
  } catch {
    return false;
  }
}
function walkInto(projectDir, relativeDir, isMatch, found2, skipped, notDone) {
  const clean = relativeDir.replace(/\/+$/, "");
  if (!lstatOrUndefined(path18.join(projectDir, clean)) && !existsBeneath(projectDir, clean)) return;
  const start = resolveBeneath(projectDir, clean, { notDone });
  if (!lstatOrUndefined(start)?.isDirectory()) return;
  const stack = [""];
  while (stack.length > 0) {
    const dir = stack.pop();
    let entries;
    try {
      entries = fs19.readdirSync(path18.join(start, dir), { withFileTypes: true });
    } catch {
      continue;
    }
    for (const entry of entries) {
      const inner = dir ? `${dir}/${entry.name}` : entry.name;
      const named = clean ? `${clean}/${inner}` : inner;
      if (entry.isDirectory()) {
        if (!skipped.has(entry.name)) stack.push(inner);
      } else if ((entry.isFile() || entry.isSymbolicLink()) && isMatch(named)) {
        found2.set(named, path18.join(start, inner));
      }
    }
  }
}
function lstatOrUndefined(file) {
  try {
    return fs19.lstatSync(file);
  } catch {
    return void 0;
  }
}

// src/run/stage-inputs.ts
var SKIPPED_DIRS = /* @__PURE__ */ new Set([".git"]);
async function stageInputs(projectDir, patterns, destination, where2) {
  const picomatch = await loadPicomatch();
  const found2 = /* @__PURE__ */ new Map();
  const notDone = "the step was not run";
  try {
    for (const pattern of patterns) {
      const clean = pattern.replace(/^\.\//, "");
      if (path19.isAbsolute(clean) || clean.split("/").includes("..")) {
        throw new ConfigError([`${where2}: input "${pattern}" is outside the checkout; inputs are paths or globs relative to ${projectDir}`]);
      }
      const { base, isGlob } = picomatch.scan(clean);
      if (!isGlob) {
        if (!lstatOrUndefined(path19.join(projectDir, clean)) && !existsBeneath(projectDir, clean)) {
          throw new ConfigError([`${where2}: input "${pattern}" does not exist in ${projectDir}; the step was not run`]);
        }
        const source = resolveBeneath(projectDir, clean, { followFinal: false, notDone });
        const stat = fs20.lstatSync(source);
        if (stat.isDirectory()) walkInto(projectDir, clean, () => true, found2, SKIPPED_DIRS, notDone);
        else found2.set(clean, source);
        continue;
      }
      const isMatch = picomatch(clean, { dot: true });
      const before = found2.size;
      walkInto(projectDir, base, isMatch, found2, SKIPPED_DIRS, notDone);
      if (found2.size === before) throw new ConfigError([`${where2}: input glob "${pattern}" matches no file in ${projectDir}; the step was not run`]);
    }
    const inputs = [];
    for (const relative of [...found2.keys()].sort()) inputs.push(stageOne(projectDir, found2.get(relative), destination, relative, notDone));
    return inputs;
  } catch (error2) {
    if (error2 instanceof PathConfinementError) throw new ConfigError([`${where2}: ${error2.message}`], { cause: error2, hint: error2.hint });
    throw error2;
  }
}
function stageOne(projectDir, source, destination, relative, notDone) {
  const stat = fs20.lstatSync(source);
  if (stat.isSymbolicLink()) {
    const link = fs20.readlinkSync(source);
    const dir = path19.posix.dirname(relative);
    withDirBeneath(destination, dir, (fd) => fs20.symlinkSync(link, atPath(fd, path19.posix.basename(relative))), { create: true, notDone });
    return { path: relative, sha256: `symlink:${link}`, executable: false };
  }
  const target = copyFileBeneath(projectDir, path19.relative(projectDir, source), destination, relative, { mode: stat.mode & 493, notDone });
  return { path: relative, sha256: hashFile(target), executable: (stat.mode & 73) !== 0 };
}
function hashFile(file) {
  const hash = createHash("sha256");
  const fd = fs20.openSync(file, "r");
  try {
    const buffer = Buffer.allocUnsafe(1 << 20);
    for (; ; ) {
      const read = fs20.readSync(fd, buffer, 0, buffer.length, null);
      if (read === 0) break;
      hash.update(buffer.subarray(0, read));
    }
  } finally {
    fs20.closeSync(fd);
  }
  return hash.digest("hex");
}

// src/action/cache-key.ts
async function cacheKeys(options) {
  const data = await readConfigData({ cwd: options.cwd, configPath: options.config });
  const config2 = resolveConfigData(data);
  const hash = createHash2("sha256");
  const configFile = path20.relative(config2.projectDir, config2.source);
  hash.update(`config ${configFile}
`).update(fs21.readFileSync(config2.source));
  if (data.evaluated) hash.update("\nevaluated ").update(JSON.stringify(data.raw));
  const hashed = [configFile];
  const patterns = [...new Set(config2.jobs.flatMap((job) => job.setup.flatMap((step) => step.inputs)))].sort();
  if (patterns.length) {
    const staging = fs21.mkdtempSync(path20.join(os3.tmpdir(), "cubicle-action-key-"));
    try {
      for (const pattern of patterns) {
        const files = await stageInputs(config2.projectDir, [pattern], path20.join(staging, String(hashed.length)), "setup input").catch(() => []);
        for (const file of files) {
          hash.update(`
input ${file.path} ${file.executable ? "x" : "-"} ${file.sha256}`);
          hashed.push(file.path);
        }
      }
    } finally {
      fs21.rmSync(staging, { recursive: true, force: true });
    }
  }
  const shard = options.shard ? `shard${options.shard.replace("/", "of")}-` : "";
  const base = `${options.prefix}-${options.runnerOs}-${options.arch}-${shard}`;
  return { key: `${base}${hash.digest("hex").slice(0, 32)}`, restoreKeys: [base], hashed: [...new Set(hashed)] };
}

// src/plan/cache-scope.ts
import { createHash as createHash3 } from "node:crypto";
import fs22 from "node:fs";
function defaultCacheScope(env2) {
  if (env2.GITHUB_ACTIONS !== "true") return "local";
  if ((env2.GITHUB_EVENT_NAME ?? "").startsWith("pull_request")) return `pr-${pullRequestNumber(env2) ?? scopePart(env2.GITHUB_HEAD_REF ?? "unknown")}`;
  return `ref-${scopePart(env2.GITHUB_REF_NAME || env2.GITHUB_REF || "unknown")}`;
}
function pullRequestNumber(env2) {
  const fromRef = /^refs\/pull\/(\d+)\//.exec(env2.GITHUB_REF ?? "");
  if (fromRef && env2.GITHUB_EVENT_NAME === "pull_request") return fromRef[1];
  try {
    const event = JSON.parse(fs22.readFileSync(env2.GITHUB_EVENT_PATH ?? "", "utf8"));
    const number3 = event.pull_request?.number ?? event.number;
    return Number.isInteger(number3) ? String(number3) : void 0;
  } catch {
    return void 0;
  }
}
function scopePart(text) {
  const safe = text.replace(/[^A-Za-z0-9._-]+/g, "_").slice(0, 80);
  return safe === text ? safe : `${safe}-${createHash3("sha256").update(text).digest("hex").slice(0, 8)}`;
}

// src/action/results.ts
import fs23 from "node:fs";
var PASSING = /* @__PURE__ */ new Set(["passed", "flaky"]);
var NOT_RUN = /* @__PURE__ */ new Set(["skipped"]);
function readResults(file) {
  try {
    return JSON.parse(fs23.readFileSync(file, "utf8"));
  } catch {
    return void 0;
  }
}
function countJobs(results) {
  const jobs = results?.jobs ?? [];
  return {
    passed: jobs.filter((job) => PASSING.has(job.status)).length,
    failed: jobs.filter((job) => !PASSING.has(job.status) && !NOT_RUN.has(job.status)).length
  };
}
function isPassing(status) {
  return PASSING.has(status);
}

// src/action/markdown.ts
var HTML = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;", "@": "&#64;" };
var MARKDOWN = /[\\`*_{}[\]()!|~]/g;
function markdownText(text, maxChars = 300) {
  const line = safeMessage(text);
  const kept = line.length > maxChars ? `${line.slice(0, maxChars)}\u2026` : line;
  return kept.replace(/[&<>"'@]/g, (char) => HTML[char]).replace(MARKDOWN, "\\$&");
}
function markdownCode(text) {
  return `\`${safeMessage(text).replaceAll("`", "'")}\``;
}

// src/action/summary.ts
var MAX_SUMMARY_JOBS = 500;
var MAX_SUMMARY_FAILED_TESTS = 50;
var STATUS_ICONS = {
  passed: "\u2705",
  flaky: "\u26A0\uFE0F",
  skipped: "\u23ED\uFE0F",
  cancelled: "\u23F9\uFE0F"
};
function renderSummary(results, options) {
  const counts = countJobs(results);
  const skipped = results.jobs.length - counts.passed - counts.failed;
  const parts = [`${counts.passed} passed`, counts.failed ? `${counts.failed} failed` : "", skipped ? `${skipped} skipped` : ""].filter(Boolean);
  const tests = options.tests;
  return [
    `## cubicle: ${results.jobs.length} ${results.jobs.length === 1 ? "job" : "jobs"}, ${parts.join(", ")} in ${formatDuration(results.wallMs)}`,
    "",
    ...tests ? [testCounts(tests), ""] : [],
    jobTable(results.jobs),
    "",
    ...tests?.failed ? [failedTests(tests), ""] : [],
    gantt(results),
    "",
    `JUnit report: ${markdownCode(options.junit)}`,
    ""
  ].join("\n");
}
function testCounts(tests) {
  const total = tests.passed + tests.flaky + tests.failed + tests.skipped;
  const parts = [
    `\u2705 ${tests.passed} passed`,
    tests.flaky ? `\u26A0\uFE0F ${tests.flaky} flaky` : "",
    tests.failed ? `\u274C ${tests.failed} failed` : "",
    tests.skipped ? `\u23ED\uFE0F ${tests.skipped} skipped` : ""
  ];
  return `**${total} ${total === 1 ? "test" : "tests"}:** ${parts.filter(Boolean).join(", ")}`;
}
function failedTests(tests) {
  const listed = tests.failedTests.slice(0, MAX_SUMMARY_FAILED_TESTS);
  const rows = listed.map((test) => {
    const cells = [markdownText(test.job), markdownText(test.classname), markdownText(test.name), markdownText(test.message, 200)];
    return cells.map(cell).join(" | ");
  });
  const more = tests.failed > listed.length ? [`| and ${tests.failed - listed.length} more (in the JUnit report) | | | |`] : [];
  return ["### Failed tests", "", "| job | class | test | message |", "| --- | --- | --- | --- |", ...rows.map((row) => `| ${row} |`), ...more].join("\n");
}
function jobTable(jobs) {
  const rows = jobs.slice(0, MAX_SUMMARY_JOBS).map(
    (job) => [
      markdownText(job.name),
      statusCell(job),
      job.status === "skipped" ? "" : formatDuration(job.wallMs),
      memoryCell(job),
      cpuCell(job),
      String(job.cacheHits)
    ].map(cell).join(" | ")
  );
  const more = jobs.length > MAX_SUMMARY_JOBS ? [`| ${jobs.length - MAX_SUMMARY_JOBS} more jobs (in the JUnit report) | | | | | |`] : [];
  return [
    "| job | status | duration | peak memory / limit | CPU | cached layers |",
    "| --- | --- | ---: | --- | --- | ---: |",
    ...rows.map((row) => `| ${row} |`),
    ...more
  ].join("\n");
}
function statusCell(job) {
  const icon = STATUS_ICONS[job.status] ?? (isPassing(job.status) ? "\u2705" : "\u274C");
  const retried = job.attempts > 1 ? ` after ${job.attempts} attempts` : "";
  const message = job.message?.startsWith(`${job.status}: `) ? job.message.slice(job.status.length + 2) : job.message;
  const why = !isPassing(job.status) && message ? `: ${markdownText(message)}` : "";
  return `${icon} ${markdownText(job.status)}${retried}${why}`;
}
function memoryCell(job) {
  if (job.status === "skipped") return "";
  const peak = formatBytes(job.peakMemoryBytes);
  const limit = job.limits.memoryBytes;
  if (!limit) return `${peak} (no limit)`;
  return `${peak} / ${formatBytes(limit)} (${Math.round(job.peakMemoryBytes / limit * 100)}%)`;
}
function cpuCell(job) {
  if (job.status === "skipped") return "";
  const cpuMs = job.cpuUserMs + job.cpuSystemMs;
  const cores = job.wallMs > 0 ? ` (${(cpuMs / job.wallMs).toFixed(1)} ${job.limits.cpus ? `of ${job.limits.cpus} cpus` : "cores"})` : "";
  return `${formatDuration(cpuMs)}${cores}`;
}
function cell(text) {
  return text.replace(/[\r\n]+/g, " ").replace(/(?<!\\)\|/g, "\\|");
}
function gantt(results) {
  const runStart = Date.parse(results.startedAt);
  const lines = ["```mermaid", "gantt", "  title When each job ran", "  dateFormat x", "  axisFormat %M:%S", "  section jobs"];
  for (const job of results.jobs.slice(0, MAX_SUMMARY_JOBS)) {
    if (job.status === "skipped") continue;
    const start = job.startedAt ? Date.parse(job.startedAt) : runStart;
    if (!Number.isFinite(start)) continue;
    const end = start + Math.max(1, Math.round(job.wallMs));
    const tag = isPassing(job.status) ? "done" : "crit";
    lines.push(`  ${taskName(job.name)} ${formatDuration(job.wallMs)} :${tag}, ${start}, ${end}`);
  }
  lines.push("```");
  return lines.join("\n");
}
function taskName(name) {
  return safeMessage(name).replace(/[^\w .-]/g, "_").slice(0, 100);
}

// src/action/main.ts
var EXIT_MEANINGS = {
  2: "a usage or configuration error; no job was run",
  3: "this runner cannot create sandboxes; no job was run"
};
async function main() {
  const token = maskRegistryToken(core_exports);
  const workspace = process.env.GITHUB_WORKSPACE || process.cwd();
  let inputs = withTimingsFound(
    readInputs((name) => core_exports.getInput(name), workspace),
    workspace
  );
  const cwd = path21.resolve(workspace, inputs.workingDirectory);
  const dir = stepDir(process.env);
  fs24.mkdirSync(dir, { recursive: true });
  const cli = createCli(actionPaths(), cliEnvironment(process.env, inputs.env, [token]), cwd);
  await core_exports.group("cubicle: prepare the host", async () => {
    await buildNative(cli, core_exports, { onlyIfMissing: !inputs.setupHost });
    if (inputs.setupHost) await prepareHost(cli, core_exports);
  });
  core_exports.saveState(STATE.cache, { workflow: "on", registry: "registry", off: "off" }[inputs.cache]);
  const cacheHit = inputs.cache === "workflow" ? await core_exports.group("cubicle: restore cached layers", () => restoreLayers(cli, inputs, cwd, dir)) : false;
  core_exports.setOutput("cache-hit", String(cacheHit));
  const registry2 = inputs.registry;
  if (registry2) inputs = await core_exports.group(`cubicle: pull cached layers from ${registry2.ref}`, () => pullFromRegistry(cli, registry2, inputs, dir));
  const files = { junit: path21.resolve(cwd, inputs.junit), json: path21.join(dir, "results.json") };
  fs24.rmSync(files.json, { force: true });
  const run2 = await cli.run(runArguments(inputs, files, defaultCacheScope(process.env)));
  const results = readResults(files.json);
  const counts = countJobs(results);
  core_exports.setOutput("passed", String(counts.passed));
  core_exports.setOutput("failed", String(counts.failed));
  core_exports.setOutput("junit", files.junit);
  core_exports.setOutput("results", results ? files.json : "");
  const ownReport = run2.exitCode <= 1 && fs24.existsSync(files.junit);
  const tests = ownReport ? readTests(files.junit) : void 0;
  if (ownReport && registry2) core_exports.saveState(STATE.junit, files.junit);
  if (results) await writeSummary(renderSummary(results, { junit: path21.relative(workspace, files.junit) || files.junit, tests }));
  if (ownReport) annotate(files.junit, workspace, cwd, inputs);
  if (run2.exitCode === 0) return;
  if (run2.exitCode === 1 && results) {
    const failed = results.jobs.filter((job) => !isPassing(job.status) && job.status !== "skipped").map((job) => `${job.name} (${job.status})`);
    core_exports.setFailed(
      `${counts.failed} of ${results.jobs.length} cubicle jobs did not pass: ${failed.join(", ")}; see the summary and ${path21.relative(workspace, files.junit) || files.junit}`
    );
    return;
  }
  core_exports.setFailed(`cubicle run exited with ${run2.exitCode}: ${EXIT_MEANINGS[run2.exitCode] ?? "see its output above"}`);
}
async function restoreLayers(cli, inputs, cwd, dir) {
  const archive = path21.join(dir, "layers.tar.zst");
  let keys;
  try {
    const runner = { runnerOs: process.env.RUNNER_OS || "Linux", arch: process.env.RUNNER_ARCH || process.arch };
    keys = await cacheKeys({ prefix: inputs.cacheKeyPrefix, cwd, config: inputs.config, ...runner, shard: inputs.shard });
  } catch (error2) {
    core_exports.warning(`no cache key: the config could not be read (${describeFailure(error2).split("\n")[0]}); layers are neither restored nor saved`);
    return false;
  }
  core_exports.info(`cache key ${keys.key} (the config and ${keys.hashed.length - 1} setup input files)`);
  core_exports.saveState(STATE.key, keys.key);
  core_exports.saveState(STATE.archive, archive);
  let restored;
  if (!cacheService.isAvailable()) {
    core_exports.warning("the Actions cache service is not available to this run (no ACTIONS_CACHE_URL or ACTIONS_RESULTS_URL); layers are built, not restored");
  } else {
    try {
      restored = await cacheService.restore([archive], keys.key, [...keys.restoreKeys]);
    } catch (error2) {
      core_exports.warning(`restoring the layer cache failed: ${error2.message}; layers are built, not restored`);
    }
  }
  if (restored) {
    core_exports.info(`restored ${restored}`);
    core_exports.saveState(STATE.restoredKey, restored);
    await importLayers(cli, archive, core_exports);
  } else if (cacheService.isAvailable()) {
    core_exports.info(`no cache entry restored for ${keys.key} or ${keys.restoreKeys.join(", ")}`);
  }
  const ids = await listLayerIds(cli, core_exports);
  if (ids) core_exports.saveState(STATE.layersBefore, JSON.stringify(ids));
  return restored === keys.key;
}
async function pullFromRegistry(cli, registry2, inputs, dir) {
  const pulled = await pullLayers(cli, registry2, path21.join(dir, "registry-timings.xml"), core_exports);
  if (!pulled.timings) {
    if (pulled.pulled) core_exports.info(`${registry2.ref} keeps no timings yet; shards are balanced by the durations this runner recorded, if any`);
    return inputs;
  }
  if (inputs.timings) {
    core_exports.info(`timings: ${inputs.timings} is used, not the timings ${registry2.ref} keeps`);
    return inputs;
  }
  core_exports.info(`shards are balanced by the timings ${registry2.ref} keeps (the last run that pushed to it)`);
  return Object.freeze({ ...inputs, timings: pulled.timings });
}
async function writeSummary(markdown) {
  try {
    await core_exports.summary.addRaw(markdown).write();
  } catch (error2) {
    core_exports.warning(`no step summary: ${error2.message}`);
  }
}
function withTimingsFound(inputs, workspace) {
  if (!inputs.timings || fs24.existsSync(path21.resolve(workspace, inputs.workingDirectory, inputs.timings))) return inputs;
  const instead = "shards are balanced by the durations this runner recorded, if any";
  core_exports.warning(`timings: ${inputs.timings} does not exist (an earlier run's report not restored?); ${instead}`);
  return Object.freeze({ ...inputs, timings: void 0 });
}
function readTests(junit) {
  try {
    return tallyTests(junit);
  } catch (error2) {
    core_exports.warning(`no test counts in the summary: ${describeFailure(error2).split("\n")[0]}`);
    return void 0;
  }
}
function annotate(junit, workspace, cwd, inputs) {
  let failed;
  let flaky;
  try {
    const projectDir = inputs.config ? path21.dirname(path21.resolve(cwd, inputs.config)) : cwd;
    failed = failedTestAnnotations(junit, { workspace, projectDir });
    flaky = flakyTestAnnotations(junit, { workspace, projectDir });
  } catch (error2) {
    core_exports.warning(`no annotations: ${describeFailure(error2).split("\n")[0]}`);
    return;
  }
  for (const [annotations, emit, what] of [
    [failed, core_exports.error, "failed"],
    [flaky, core_exports.warning, "flaky"]
  ]) {
    for (const annotation of annotations.slice(0, MAX_ANNOTATIONS)) {
      emit(annotation.message, { title: annotation.title, file: annotation.file, startLine: annotation.startLine });
    }
    if (annotations.length > MAX_ANNOTATIONS) core_exports.info(`${annotations.length - MAX_ANNOTATIONS} more ${what} test cases are in ${junit}`);
  }
}
try {
  await main();
} catch (error2) {
  core_exports.setFailed(describeFailure(error2));
}
