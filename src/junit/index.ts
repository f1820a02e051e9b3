// JUnit as a library: read a framework's report (XML, or `go test -json` converted), hold it as
// plain data, merge several, write it back, cap the output it carries, and place a retried job's
// earlier failures on their test cases. Report, timings, `cubicle merge` and the Action use it
// through this index; what a cubicle job means in JUnit (report/junit-job.ts) stays in report/.
export { readAttemptTests, MAX_FAILED_KEPT, type AttemptTests } from './attempt.js';
export { placeEarlierFailures, type EarlierAttempt, type JobAttempt, type PlacedFailures } from './flaky.js';
export { GoTestJsonError, parseGoTestJson } from './gotest.js';
export { JunitMergeError, mergeJunitFiles } from './merge.js';
export {
  reportCounts,
  suiteCounts,
  verdictOf,
  type JunitCase,
  type JunitCounts,
  type JunitOutcome,
  type JunitProperty,
  type JunitReport,
  type JunitRerun,
  type JunitSuite,
  type Verdict,
} from './model.js';
export { DEFAULT_OUTPUT_CAP_BYTES, headBytes, lastLines, OutputBudget, tailBytes } from './output-cap.js';
export {
  decodeXmlBytes,
  JunitReadError,
  MAX_REPORT_BYTES,
  MAX_TEST_CASES,
  parseJunit,
  readJunitFile,
  secondsOf,
  type JunitReadOptions,
} from './read.js';
export { serializeJunit } from './write.js';
export {
  childNamed,
  DEFAULT_XML_LIMITS,
  escapeAttribute,
  escapeText,
  parseXml,
  xmlSafe,
  XmlLimitError,
  XmlSyntaxError,
  type XmlElement,
  type XmlLimits,
} from './xml.js';
