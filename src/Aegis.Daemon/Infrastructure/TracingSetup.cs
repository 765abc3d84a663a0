using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Options;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Aegis.Daemon.Infrastructure;

/// <summary>
/// Traces: aegisd's own spans (<see cref="AegisTracing"/>), ASP.NET Core's server spans and HttpClient's client spans
/// (the router's forward), exported over OTLP and/or to the console as <see cref="TracingOptions"/> say. With no
/// exporter there is no tracer provider: nothing listens, so no span is created.
/// </summary>
internal static class TracingSetup
{
    private const string OtlpEndpointVariable = "OTEL_EXPORTER_OTLP_ENDPOINT";
    private const string OtlpProtocolVariable = "OTEL_EXPORTER_OTLP_PROTOCOL";
    private const string ScheduleDelayVariable = "OTEL_BSP_SCHEDULE_DELAY";

    public static WebApplicationBuilder AddAegisTracing(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<TracingOptions>().BindConfiguration("Aegis:Tracing").ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<TracingOptions>, TracingOptionsValidator>();
        if (!Exporting(builder.Configuration))
        {
            // No tracer provider: nothing listens to aegisd's, ASP.NET Core's or HttpClient's sources, so no span is
            // even created. (Instrumentation with a sampler that drops everything still cost the router a third of its
            // throughput: every request and forward made an Activity.)
            return builder;
        }

        builder.Services.AddOpenTelemetry().WithTracing(tracing =>
        {
            tracing
                .ConfigureResource(resource => resource.AddService("aegisd"))
                .AddSource(AegisTracing.SourceName)
                .AddAspNetCoreInstrumentation(o => o.Filter = context => !IsScrapeOrProbe(context.Request.Path))
                .AddHttpClientInstrumentation();
            ((IDeferredTracerProviderBuilder)tracing).Configure((services, provider) =>
            {
                var configuration = services.GetRequiredService<IConfiguration>();
                TracingOptions options;
                try
                {
                    options = services.GetRequiredService<IOptions<TracingOptions>>().Value;
                }
                catch (Exception ex) when (ex is OptionsValidationException or InvalidOperationException)
                {
                    // A bad value (or one the binder cannot convert): host start reports it (ValidateOnStart), naming the
                    // setting; this provider just exports nothing.
                    provider.SetSampler(new AlwaysOffSampler());
                    return;
                }

                var exporters = 0;
                if (Resolve(options, configuration).Target is { } target)
                {
                    var otlp = new OtlpExporterOptions { Endpoint = target.Endpoint, Protocol = target.Protocol };
                    provider.AddProcessor(new BatchActivityExportProcessor(new OtlpTraceExporter(otlp),
                        scheduledDelayMilliseconds: ScheduleDelay(configuration).Delay ?? 5000));
                    exporters++;
                }

                if (options.Console)
                {
                    provider.AddProcessor(new SimpleActivityExportProcessor(new ConsoleActivityExporter(new ConsoleExporterOptions())));
                    exporters++;
                }

                if (exporters == 0)
                {
                    provider.SetSampler(new AlwaysOffSampler());
                }
            });
        });
        return builder;
    }

    /// <summary>Whether any exporter is configured; which ones, and whether their settings are usable, is decided
    /// with the bound <see cref="TracingOptions"/>.</summary>
    private static bool Exporting(IConfiguration configuration) =>
        !string.IsNullOrWhiteSpace(configuration["Aegis:Tracing:Otlp:Endpoint"])
        || !string.IsNullOrWhiteSpace(configuration[OtlpEndpointVariable])
        || (bool.TryParse(configuration["Aegis:Tracing:Console"], out var console) && console);

    private static bool IsScrapeOrProbe(PathString path) => path.StartsWithSegments("/metrics") || path.StartsWithSegments("/healthz");

    /// <summary>Where OTLP export goes: <c>Aegis:Tracing:Otlp</c>, else the standard environment variables; no target
    /// when neither names an endpoint; an error naming the setting when a value is unusable.</summary>
    internal static (OtlpTarget? Target, string? Error) Resolve(TracingOptions options, IConfiguration configuration)
    {
        var (protocolSetting, protocolText) = string.IsNullOrWhiteSpace(options.Otlp.Protocol)
            ? (OtlpProtocolVariable, configuration[OtlpProtocolVariable])
            : ("Aegis:Tracing:Otlp:Protocol", options.Otlp.Protocol);
        OtlpExportProtocol protocol;
        switch (protocolText?.Trim())
        {
            case null or "" or "http/protobuf":
                protocol = OtlpExportProtocol.HttpProtobuf;
                break;
            case "grpc":
                protocol = OtlpExportProtocol.Grpc;
                break;
            default:
                return (null, $"{protocolSetting} must be http/protobuf or grpc (got '{protocolText}').");
        }

        var (endpointSetting, endpointText) = string.IsNullOrWhiteSpace(options.Otlp.Endpoint)
            ? (OtlpEndpointVariable, configuration[OtlpEndpointVariable])
            : ("Aegis:Tracing:Otlp:Endpoint", options.Otlp.Endpoint);
        if (string.IsNullOrWhiteSpace(endpointText))
        {
            return (null, null);
        }

        if (!Uri.TryCreate(endpointText.Trim(), UriKind.Absolute, out var endpoint) || (endpoint.Scheme != Uri.UriSchemeHttp && endpoint.Scheme != Uri.UriSchemeHttps))
        {
            return (null, $"{endpointSetting} must be an absolute http:// or https:// URL, the collector's base address (got '{endpointText}').");
        }

        // As with OTEL_EXPORTER_OTLP_ENDPOINT, the endpoint is the collector's base URL and http/protobuf appends the
        // signal's path; the exporter takes an endpoint set in code as the full URL.
        if (protocol == OtlpExportProtocol.HttpProtobuf && !endpoint.AbsolutePath.EndsWith("/v1/traces", StringComparison.Ordinal))
        {
            endpoint = new Uri(endpoint.GetLeftPart(UriPartial.Path).TrimEnd('/') + "/v1/traces");
        }

        return (new OtlpTarget(endpoint, protocol), null);
    }

    /// <summary><c>OTEL_BSP_SCHEDULE_DELAY</c> (milliseconds between OTLP batches) when set.</summary>
    internal static (int? Delay, string? Error) ScheduleDelay(IConfiguration configuration)
    {
        var text = configuration[ScheduleDelayVariable];
        if (string.IsNullOrWhiteSpace(text))
        {
            return (null, null);
        }

        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var delay) && delay > 0
            ? (delay, null)
            : (null, $"{ScheduleDelayVariable} must be a positive number of milliseconds (got '{text}').");
    }

    internal sealed record OtlpTarget(Uri Endpoint, OtlpExportProtocol Protocol);

    /// <summary>A bad export setting stops aegisd at startup with a message naming it.</summary>
    private sealed class TracingOptionsValidator(IConfiguration configuration) : IValidateOptions<TracingOptions>
    {
        public ValidateOptionsResult Validate(string? name, TracingOptions options)
        {
            var errors = new[] { Resolve(options, configuration).Error, ScheduleDelay(configuration).Error }.OfType<string>().ToList();
            return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
        }
    }
}
