using System.Text.RegularExpressions;

namespace Famiglia.AgentSdk.TypeScript.Tests;

/// <summary>The npm package in sdk/typescript: it builds, its node:test suite passes, and <c>npm pack</c> makes a tarball
/// that installs into another project, loads with <c>require</c> and <c>import</c> and brings its type declarations.</summary>
public sealed class SdkPackageTests : IDisposable
{
    private readonly TempDirectory _dir = TempDirectory.Create("ts-sdk-");

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task The_sdk_and_templates_build_and_the_sdks_node_tests_pass()
    {
        await TypeScriptBuild.EnsureAsync();

        var result = await Tool.SucceedAsync(TypeScriptBuild.Sdk, "npm", "run", "test:unit");

        // node --test's summary (TAP "# pass N" or spec "ℹ pass N"): there were tests, and every one passed.
        var tests = Count(result.Output, "tests");
        Assert.True(tests >= 40, $"only {tests} node tests ran:\n{result.Output}");
        Assert.Equal(tests, Count(result.Output, "pass"));
        Assert.Equal(0, Count(result.Output, "fail"));
        Assert.Equal(0, Count(result.Output, "skipped"));
        foreach (var template in TypeScriptBuild.Templates)
        {
            Assert.True(File.Exists(Path.Combine(TypeScriptBuild.Template(template), "dist", "index.js")), $"{template} has no dist/index.js");
        }
    }

    [Fact]
    public async Task Npm_pack_makes_a_tarball_that_installs_and_loads_with_require_import_and_its_types()
    {
        await TypeScriptBuild.EnsureAsync();
        var packed = Directory.CreateDirectory(_dir.Combine("packed")).FullName;

        await Tool.SucceedAsync(TypeScriptBuild.Sdk, "npm", "pack", "--pack-destination", packed);

        var tarball = Assert.Single(Directory.GetFiles(packed, "*.tgz"));
        Assert.Equal("famiglia-agent-sdk-1.0.0.tgz", Path.GetFileName(tarball));
        var files = (await Tool.SucceedAsync(packed, "tar", "-tzf", tarball)).Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains("package/package.json", files);
        Assert.Contains("package/README.md", files);
        Assert.Contains("package/dist/index.js", files);
        Assert.Contains("package/dist/index.d.ts", files);
        Assert.Contains("package/dist/protocol/connection.js", files);
        Assert.All(files, file => Assert.Matches("^package/(package\\.json|README\\.md|dist/.+\\.(js|d\\.ts))$", file));

        // A fresh project installs the tarball: nothing else comes with it (no runtime dependencies).
        var consumer = Directory.CreateDirectory(_dir.Combine("consumer")).FullName;
        await File.WriteAllTextAsync(Path.Combine(consumer, "package.json"), """{ "name": "consumer", "version": "1.0.0", "private": true }""");
        await Tool.SucceedAsync(consumer, "npm", "install", "--no-audit", "--no-fund", tarball);
        Assert.Equal(["@famiglia"], Directory.GetDirectories(Path.Combine(consumer, "node_modules")).Select(Path.GetFileName));

        var required = await Tool.SucceedAsync(consumer, "node", "-e",
            "const sdk = require('@famiglia/agent-sdk'); console.log(typeof sdk.FamigliaAgent, sdk.FamigliaAgent.sdkName, sdk.ErrorCodes.CanvasError)");
        Assert.Equal("function famiglia-typescript/1.0 -32003", required.Output.Trim());
        var imported = await Tool.SucceedAsync(consumer, "node", "--input-type=module", "-e",
            "import { FamigliaAgent, FamigliaAgentError } from '@famiglia/agent-sdk'; console.log(typeof FamigliaAgent, new FamigliaAgentError(-32002, 'x').code)");
        Assert.Equal("function -32002", imported.Output.Trim());

        // The declarations type-check a strict consumer, and they are real types: a wrong call is an error.
        await File.WriteAllTextAsync(Path.Combine(consumer, "tsconfig.json"), $$"""
            {
              "compilerOptions": {
                "strict": true, "noEmit": true, "module": "nodenext", "moduleResolution": "nodenext", "target": "ES2022",
                "types": ["node"], "typeRoots": ["{{Path.Combine(TypeScriptBuild.Sdk, "node_modules", "@types")}}"]
              },
              "files": ["agent.ts"]
            }
            """);
        await File.WriteAllTextAsync(Path.Combine(consumer, "agent.ts"), """
            import { FamigliaAgent, type AgentMessage, type Paginated, type Post } from '@famiglia/agent-sdk'

            const agent = new FamigliaAgent()
            agent.onMessage(async (msg: AgentMessage) => {
              const photos: Paginated<Post> = await agent.api.feed({ type: 'image', limit: 100 })
              const thread: string | null = msg.thread
              const version: number = await agent.canvas.bumpVersion()
              await msg.reply(`${photos.total} ${photos.data[0]?.media[0]?.url} ${thread} ${version}`)
              // @ts-expect-error say takes a string
              await agent.say(42)
            })
            agent.start()
            """);
        var tsc = Path.Combine(TypeScriptBuild.Sdk, "node_modules", "typescript", "bin", "tsc");
        await Tool.SucceedAsync(consumer, "node", tsc, "-p", "tsconfig.json");

        // And the check can fail: without the @ts-expect-error the wrong call is reported.
        await File.WriteAllTextAsync(Path.Combine(consumer, "agent.ts"), "import { FamigliaAgent } from '@famiglia/agent-sdk'\nnew FamigliaAgent().say(42)\n");
        var wrong = await Tool.RunAsync(consumer, "node", tsc, "-p", "tsconfig.json");
        Assert.NotEqual(0, wrong.ExitCode);
        Assert.Contains("TS2345", wrong.Output, StringComparison.Ordinal);
    }

    private static int Count(string output, string name)
    {
        var match = Regex.Match(output, $"^(?:#|ℹ) {name} (\\d+)$", RegexOptions.Multiline);
        Assert.True(match.Success, $"no '{name}' in the node test summary:\n{output}");
        return int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
    }
}
