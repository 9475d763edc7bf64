// The app's event bus: Switchyard's own events, and AWS events forwarded from default buses.
import type { DeploymentSpec } from '../deployment.ts';

export function appBus(deployment: DeploymentSpec): sst.aws.Bus {
  return new sst.aws.Bus('Bus', {
    transform: { bus: { name: deployment.busName } },
  });
}
