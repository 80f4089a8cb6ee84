export { lintDockerfile, type Finding, type LintInput } from './lint';
export { formatJson, formatText } from './format';
export { RULES, type RuleId, type Level } from './meta';
