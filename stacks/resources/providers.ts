// One AWS provider per region the stack reaches besides its own (default-bus rules in
// the fleet's regions, canary alarms in us-east-1). The app's own region uses the default.
import { pascal } from './names.ts';

const providers = new Map<string, aws.Provider>();

export function providerFor(region: string, appRegion: string): aws.Provider | undefined {
  if (region === appRegion) return undefined;
  let provider = providers.get(region);
  if (provider === undefined) {
    provider = new aws.Provider(`Aws${pascal(region)}`, { region: region as aws.Region });
    providers.set(region, provider);
  }
  return provider;
}
