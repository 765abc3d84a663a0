// Every test here works in sdk/typescript and templates/*-ts (npm ci replaces node_modules, npm pack rewrites dist/),
// so they run one after another.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
