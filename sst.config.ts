/// <reference path="./.sst/platform/config.d.ts" />
// Switchyard on AWS: `npx sst deploy --stage <stage>` (docs/deploy.md).
// The fleet comes from SWITCHYARD_FLEET (default ./examples/fleet); everything else from
// the checkout: functions/index.ts (FUNCTIONS), functions/*.ts and workflows/*.asl.json.
export default $config({
  async app(input) {
    const { APP_NAME, isProductionStage } = await import('./stacks/naming.ts');
    const production = isProductionStage(input?.stage ?? '');
    return {
      name: APP_NAME,
      home: 'aws',
      // Production refuses `sst remove`; removed on purpose, it keeps the state table and the
      // log groups (deployment.retained, printed as retainedOnRemove; docs/deploy.md, Stages).
      removal: production ? 'retain' : 'remove',
      protect: production,
    };
  },
  async run() {
    const { deploySwitchyard } = await import('./stacks/index.ts');
    return deploySwitchyard();
  },
});
