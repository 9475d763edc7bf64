import { readdirSync, readFileSync } from 'node:fs';
import aslValidator from 'asl-validator';
import { describe, expect, it } from 'vitest';
import { FUNCTIONS } from '../../../functions/index.ts';
import { forEachState } from '@switchyard/local-aws/stepfunctions';
import { ERROR_NAMES } from '../../../src/core/errors.ts';
import { WORKFLOW_NAMES } from '../../../src/core/ports.ts';

const files = readdirSync('workflows')
  .filter((f) => f.endsWith('.asl.json'))
  .sort();
const load = (file: string) => JSON.parse(readFileSync(`workflows/${file}`, 'utf8')) as Record<string, unknown>;

describe('workflows/*.asl.json', () => {
  it('are exactly the workflows src/core/ports.ts names (WORKFLOW_NAMES)', () => {
    expect(files.map((f) => f.replace('.asl.json', ''))).toEqual([...WORKFLOW_NAMES].sort());
  });

  it.each(files)('%s passes asl-validator (paths and ARNs checked)', (file) => {
    // Act
    const result = aslValidator(structuredClone(load(file)), { checkPaths: true, checkArn: true });
    // Assess
    expect(result.isValid, result.errorsText('\n')).toBe(true);
  });

  it.each(files)('%s is JSONPath ASL with only lambda:invoke of registered functions and events:putEvents on ${EventBusName}', (file) => {
    // Prepare
    const definition = load(file);
    const problems: string[] = [];
    // Act
    expect(definition['QueryLanguage'] ?? 'JSONPath').toBe('JSONPath');
    forEachState(definition, (name, state) => {
      if (state['QueryLanguage'] !== undefined && state['QueryLanguage'] !== 'JSONPath') problems.push(`${name}: not JSONPath`);
      if (state['Type'] !== 'Task') return;
      const parameters = state['Parameters'] as Record<string, unknown>;
      if (state['Resource'] === 'arn:aws:states:::lambda:invoke') {
        const fn = /^\$\{(\w+)\}$/.exec(String(parameters['FunctionName']))?.[1];
        if (!fn || !(fn in FUNCTIONS)) problems.push(`${name}: FunctionName ${String(parameters['FunctionName'])} is not \${<a FUNCTIONS entry>}`);
      } else if (state['Resource'] === 'arn:aws:states:::events:putEvents') {
        for (const entry of parameters['Entries'] as Array<Record<string, unknown>>) {
          if (entry['EventBusName'] !== '${EventBusName}') problems.push(`${name}: EventBusName must be \${EventBusName}`);
          if (entry['Source'] !== 'switchyard') problems.push(`${name}: Source must be switchyard`);
        }
      } else problems.push(`${name}: Resource ${String(state['Resource'])} is not allowed`);
    });
    // Assess
    expect(problems).toEqual([]);
  });

  it.each(files)('%s retries transient AWS errors on every Lambda task', (file) => {
    // Prepare
    const missing: string[] = [];
    // Act
    forEachState(load(file), (name, state) => {
      if (state['Resource'] !== 'arn:aws:states:::lambda:invoke') return;
      const retried = ((state['Retry'] ?? []) as Array<{ ErrorEquals: string[] }>).flatMap((r) => r.ErrorEquals);
      for (const error of ['TransientAwsError', 'Lambda.ServiceException', 'Lambda.TooManyRequestsException'])
        if (!retried.includes(error)) missing.push(`${name}: ${error}`);
    });
    // Assess
    expect(missing).toEqual([]);
  });

  it('catch named errors that exist', () => {
    // Prepare
    const known = new Set<string>([
      ...ERROR_NAMES,
      'States.ALL',
      'States.TaskFailed',
      'Lambda.ServiceException',
      'Lambda.AWSLambdaException',
      'Lambda.SdkClientException',
      'Lambda.TooManyRequestsException',
      'EventBridge.EventBridgeException',
      'EventBridge.FailedEntry',
    ]);
    const unknown: string[] = [];
    // Act
    for (const file of files) {
      forEachState(load(file), (name, state) => {
        for (const rule of [...((state['Retry'] ?? []) as Array<{ ErrorEquals: string[] }>), ...((state['Catch'] ?? []) as Array<{ ErrorEquals: string[] }>)]) {
          for (const error of rule.ErrorEquals) if (!known.has(error)) unknown.push(`${file} ${name}: ${error}`);
        }
      });
    }
    // Assess
    expect(unknown).toEqual([]);
  });
});
