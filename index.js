// Where the engine enters when it runs this provider from source (PulumiPlugin.yaml): the Node.js
// language host loads this folder, that is this file. Not a `main` in package.json: programs
// without a package.json of their own fall back to this one's, and would run the plugin instead.
require("./bin/pulumi-resource-smartag");
