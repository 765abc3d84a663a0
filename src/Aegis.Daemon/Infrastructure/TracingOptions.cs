namespace Aegis.Daemon.Infrastructure;

/// <summary>Trace export (section <c>Aegis:Tracing</c>). With no exporter configured nothing is recorded.</summary>
public sealed record TracingOptions
{
    /// <summary>Export over OTLP (<c>Aegis:Tracing:Otlp</c>); off unless an endpoint is set here or in
    /// <c>OTEL_EXPORTER_OTLP_ENDPOINT</c>.</summary>
    public OtlpTracingOptions Otlp { get; init; } = new();

    /// <summary>Write every finished span to aegisd's stdout (<c>Aegis:Tracing:Console</c>), for debugging.</summary>
    public bool Console { get; init; }
}

/// <summary>The OTLP exporter's target.</summary>
public sealed record OtlpTracingOptions
{
    /// <summary>The collector's base URL (<c>http://collector:4318</c>), as <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> takes it:
    /// <c>/v1/traces</c> is appended for http/protobuf. Unset: <c>OTEL_EXPORTER_OTLP_ENDPOINT</c>, else no OTLP export.</summary>
    public string? Endpoint { get; init; }

    /// <summary><c>http/protobuf</c> (the default, port 4318 on a collector) or <c>grpc</c> (port 4317). Unset:
    /// <c>OTEL_EXPORTER_OTLP_PROTOCOL</c>, else http/protobuf.</summary>
    public string? Protocol { get; init; }
}
