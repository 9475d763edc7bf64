import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InvalidInput } from '../../src/core/errors.ts';
import { validateAsl } from '@switchyard/local-aws/stepfunctions';
import { inspectWorkflow, placeholdersIn, renderDefinition, workflowNameOf, type WorkflowSource } from '../../src/core/asl.ts';
import { FIXTURES } from './helpers.ts';

const drain: WorkflowSource = {
  name: 'DrainCluster',
  file: 'workflows/DrainCluster.asl.json',
  text: readFileSync(join(FIXTURES, 'workflows/DrainCluster.asl.json'), 'utf8'),
};

function workflow(states: Record<string, unknown>, extra: Record<string, unknown> = {}): WorkflowSource {
  return { name: 'Test', file: 'workflows/Test.asl.json', text: JSON.stringify({ StartAt: Object.keys(states)[0], States: states, ...extra }) };
}

const lambdaTask = (functionName: unknown, end = true) => ({
  Type: 'Task',
  Resource: 'arn:aws:states:::lambda:invoke',
  Parameters: { FunctionName: functionName, 'Payload.$': '$' },
  End: end,
});

function problemsOf(source: WorkflowSource, known: string[]): string {
  try {
    inspectWorkflow(source, known);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidInput);
    return (error as Error).message;
  }
  throw new Error('expected InvalidInput');
}

describe('workflowNameOf', () => {
  it('takes workflow names from <Name>.asl.json only', () => {
    expect(workflowNameOf('DrainCluster.asl.json')).toBe('DrainCluster');
    expect(workflowNameOf('notes.json')).toBeUndefined();
    expect(workflowNameOf('drain.asl.json')).toBeUndefined();
  });
});

describe('inspectWorkflow', () => {
  it('finds every Lambda Task, nested ones included, and the putEvents states', () => {
    const wiring = inspectWorkflow(drain, ['reader', 'publisher', 'router']);
    expect(wiring.lambdaTasks).toEqual([
      { state: 'Read', functionName: 'reader' },
      { state: 'Publish', functionName: 'publisher' },
    ]);
    expect(wiring.functions).toEqual(['publisher', 'reader']);
    expect(wiring.putEventsStates).toEqual(['Announce']);
  });

  it('fails when a Task names a function that is not deployed', () => {
    expect(problemsOf(drain, ['reader'])).toMatch(
      /DrainCluster\.asl\.json: .*state "Publish": FunctionName "\$\{publisher\}" names no deployed function \(FUNCTIONS: reader\)/,
    );
  });

  it('refuses dynamic function names, literal names and ARNs: only placeholders can be granted and checked', () => {
    expect(problemsOf(workflow({ A: { ...lambdaTask(undefined), Parameters: { 'FunctionName.$': '$.fn' } } }), ['a'])).toMatch(
      /static Parameters\.FunctionName/,
    );
    expect(problemsOf(workflow({ A: lambdaTask('reader') }), ['reader'])).toMatch(/must be a placeholder/);
    expect(problemsOf(workflow({ A: lambdaTask('arn:aws:lambda:us-east-1:1:function:x') }), ['x'])).toMatch(/must be a placeholder/);
  });

  it('refuses Task integrations other than lambda:invoke and events:putEvents', () => {
    const message = problemsOf(workflow({ A: { Type: 'Task', Resource: 'arn:aws:states:::dynamodb:putItem', Parameters: {}, End: true } }), []);
    expect(message).toMatch(/state "A": Task resource "arn:aws:states:::dynamodb:putItem" is not allowed/);
  });

  it('requires putEvents entries to go to Switchyard’s bus', () => {
    const put = (entries: unknown) => workflow({ A: { Type: 'Task', Resource: 'arn:aws:states:::events:putEvents', Parameters: entries, End: true } });
    expect(problemsOf(put({ 'Entries.$': '$.events' }), [])).toMatch(/needs static Parameters\.Entries/);
    expect(problemsOf(put({ Entries: [{ EventBusName: 'default', Source: 'x', DetailType: 'y', Detail: {} }] }), [])).toMatch(
      /Entries\[0\]\.EventBusName must be "\$\{EventBusName\}"/,
    );
  });

  it('refuses unknown placeholders anywhere, naming the JSON path', () => {
    const source = workflow({ A: { Type: 'Pass', Result: { table: '${TableName}' }, End: true } });
    expect(problemsOf(source, ['reader'])).toMatch(/\$\.States\.A\.Result\.table: unknown placeholder "\$\{TableName\}"/);
  });

  it('refuses JSONata workflows (the local runner would silently skip them)', () => {
    expect(problemsOf(workflow({ A: { Type: 'Pass', End: true } }, { QueryLanguage: 'JSONata' }), [])).toMatch(/JSONata/);
  });

  it('reports every problem at once', () => {
    const message = problemsOf(workflow({ A: lambdaTask('${x}', false), B: lambdaTask('${y}') }, {}), []);
    expect(message).toContain('state "A"');
    expect(message).toContain('state "B"');
  });

  it('refuses text that is not a JSON object, naming the file', () => {
    expect(() => inspectWorkflow({ name: 'X', file: 'workflows/X.asl.json', text: '{' }, [])).toThrow(/workflows\/X\.asl\.json: not valid JSON/);
  });
});

describe('renderDefinition', () => {
  it('substitutes the function ARNs and the bus name, and the result is valid ASL', () => {
    const wiring = inspectWorkflow(drain, ['reader', 'publisher']);
    const text = renderDefinition(wiring, {
      functionArns: {
        reader: 'arn:aws:lambda:eu-central-1:111111111111:function:switchyard-dev-reader',
        publisher: 'arn:aws:lambda:eu-central-1:111111111111:function:switchyard-dev-publisher',
      },
      eventBusName: 'switchyard-dev-bus',
    });
    const rendered = JSON.parse(text) as Record<string, unknown>;
    expect(placeholdersIn(rendered)).toEqual([]);
    expect(text).toContain('"FunctionName": "arn:aws:lambda:eu-central-1:111111111111:function:switchyard-dev-publisher"');
    expect(text).toContain('"EventBusName": "switchyard-dev-bus"');
    expect(() => validateAsl(rendered, 'rendered')).not.toThrow();
  });

  it('refuses to render while a placeholder has no value', () => {
    const wiring = inspectWorkflow(drain, ['reader', 'publisher']);
    expect(() => renderDefinition(wiring, { functionArns: { reader: 'arn:r' }, eventBusName: 'b' })).toThrow(/no value for \$\{publisher\}/);
  });
});
