// Logical (Pulumi) names of resources: PascalCase from the deployment spec's names, unique per app.

export function pascal(value: string): string {
  return value
    .split(/[^A-Za-z0-9]+/)
    .filter((part) => part !== '')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}
