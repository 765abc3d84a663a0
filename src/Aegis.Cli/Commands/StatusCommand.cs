using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Aegis.Cli.Output;

namespace Aegis.Cli.Commands;

/// <summary><c>aegis status [--json]</c>: is aegisd up, and which instances it has.</summary>
internal static class StatusCommand
{
    public static Command Create(GlobalOptions globals)
    {
        var json = GlobalOptions.CreateJsonOption();
        var command = new Command("status", "Check that aegisd answers and list its live instances (exit 3 when it does not answer).") { json };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var stdout = parse.InvocationConfiguration.Output;
            using var client = globals.CreateClient(parse);
            await client.EnsureHealthyAsync(cancellationToken);
            var instances = await client.GetAsync("/v1/instances", cancellationToken);
            if (parse.GetValue(json))
            {
                await JsonOutput.PrintAsync(stdout, instances);
                return ExitCodes.Ok;
            }

            await stdout.WriteLineAsync($"aegisd is up at {client.BaseAddress}");
            await stdout.WriteLineAsync(await DescribeBackendAsync(client, cancellationToken));
            foreach (var kit in (await client.GetAsync("/v1/pool", cancellationToken)).EnumerateArray())
            {
                var ready = kit.GetProperty("ready").GetArrayLength();
                await stdout.WriteLineAsync($"warm pool {kit.Text("kit")}: {ready} of {kit.GetProperty("size").GetInt32()} ready");
            }

            var rows = instances.EnumerateArray()
                .Select(i => (IReadOnlyList<string>)[i.Text("instanceId"), i.Text("appId"), i.Text("state"), i.Text("address"), Memory(i), Cpu(i), i.Time("createdAt")])
                .ToList();
            if (rows.Count == 0)
            {
                await stdout.WriteLineAsync("no live instances");
                return ExitCodes.Ok;
            }

            await TableWriter.WriteAsync(stdout, ["id", "app", "state", "address", "memory", "cpu", "created"], rows);
            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>What the sandbox uses of its memory limit, e.g. <c>52.3 MiB / 128 MiB</c>; <c>-</c> without a sandbox.</summary>
    private static string Memory(JsonElement instance) =>
        instance.TryGetProperty("resources", out var resources) && resources.ValueKind == JsonValueKind.Object
            ? $"{JsonOutput.Bytes(resources.GetProperty("memoryBytes").GetInt64())} / {JsonOutput.Bytes(resources.GetProperty("memoryLimitBytes").GetInt64())}"
            : "-";

    /// <summary>CPU time since the sandbox started, e.g. <c>1.25 s</c>.</summary>
    private static string Cpu(JsonElement instance) =>
        instance.TryGetProperty("resources", out var resources) && resources.ValueKind == JsonValueKind.Object
            && resources.TryGetProperty("cpuSeconds", out var seconds) && seconds.ValueKind == JsonValueKind.Number
            ? string.Create(CultureInfo.InvariantCulture, $"{seconds.GetDouble():0.00} s")
            : "-";

    /// <summary>e.g. <c>backend: qemu (tcg: /dev/kvm is there but no KVM vCPU ran within 10 s)</c>.</summary>
    private static async Task<string> DescribeBackendAsync(Api.AegisApiClient client, CancellationToken cancellationToken)
    {
        try
        {
            var backend = await client.GetAsync("/v1/backend", cancellationToken);
            var line = "backend: " + backend.Text("name");
            if (backend.TryGetProperty("accelerator", out var accelerator) && accelerator.ValueKind == System.Text.Json.JsonValueKind.String)
            {
                line += $" ({accelerator.GetString()}: {backend.Text("acceleratorReason")})";
            }

            if (backend.TryGetProperty("available", out var available) && available.ValueKind == System.Text.Json.JsonValueKind.False)
            {
                line += " unavailable: " + string.Join("; ", backend.GetProperty("problems").EnumerateArray().Select(p => p.GetString()));
            }

            return line;
        }
        catch (Api.AegisApiException exception)
        {
            return $"backend: unknown ({exception.Message})";
        }
    }
}
