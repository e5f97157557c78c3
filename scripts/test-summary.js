#!/usr/bin/env node
// Prints vitest's JSON report as one plain closing line ("Tests: N passed, N failed, N skipped") and
// fails when no test ran or any was skipped: a skipped engine test is a defect, not a pass.
"use strict";
const fs = require("node:fs");
const file = process.argv[2];
if (!file || !fs.existsSync(file)) {
  console.error(`no test report at ${file}: the test runner did not finish`);
  process.exit(1);
}
const report = JSON.parse(fs.readFileSync(file, "utf8"));
const passed = report.numPassedTests ?? 0;
const failed = report.numFailedTests ?? 0;
const skipped = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
console.log(`Tests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
if (passed === 0) {
  console.error("no test ran");
  process.exit(1);
}
if (failed > 0 || skipped > 0 || report.success === false) process.exit(1);
