using System.Diagnostics;
using Google.Protobuf;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Aegis.Daemon.Tests.Tracing;

/// <summary>One span as an OTLP collector received it.</summary>
public sealed record ReceivedSpan(
    string Service, string Scope, string TraceId, string SpanId, string ParentSpanId, string Name, int Kind,
    IReadOnlyDictionary<string, string> Attributes, int StatusCode, string StatusMessage, IReadOnlyList<string> Events)
{
    public const int KindServer = 2;
    public const int KindClient = 3;
    public const int StatusError = 2;

    public string? Tag(string key) => Attributes.GetValueOrDefault(key);
}

/// <summary>
/// A real OTLP/HTTP trace receiver: Kestrel on loopback taking <c>POST /v1/traces</c> with protobuf bodies
/// (opentelemetry-proto's ExportTraceServiceRequest, read field by field), as a collector does. Keeps every raw body,
/// so a test can look for anything that should never have been exported.
/// </summary>
public sealed class OtlpReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly List<ReceivedSpan> _spans = [];
    private readonly List<byte[]> _bodies = [];
    private readonly Lock _lock = new();

    private OtlpReceiver()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();

        // A collector is another process. Here it shares aegisd's, so its requests get a source and a listener of their
        // own: under ASP.NET Core's names, aegisd's tracer would trace each export, and export that, without end.
        builder.Services.AddSingleton(new ActivitySource("Aegis.Tests.OtlpReceiver"));
        builder.Services.AddSingleton(new DiagnosticListener("Aegis.Tests.OtlpReceiver"));
        _app = builder.Build();
        _app.MapPost("/v1/traces", async (HttpContext context) =>
        {
            if (context.Request.ContentType != "application/x-protobuf")
            {
                return Results.StatusCode(StatusCodes.Status415UnsupportedMediaType);
            }

            using var body = new MemoryStream();
            await context.Request.Body.CopyToAsync(body);
            var bytes = body.ToArray();
            var spans = Decode(ByteString.CopyFrom(bytes));
            lock (_lock)
            {
                _bodies.Add(bytes);
                _spans.AddRange(spans);
            }

            // An empty ExportTraceServiceResponse: everything accepted.
            return Results.Bytes([], "application/x-protobuf");
        });
    }

    /// <summary>The base URL, as <c>Aegis:Tracing:Otlp:Endpoint</c> takes it.</summary>
    public string Endpoint { get; private set; } = "";

    public static async Task<OtlpReceiver> StartAsync()
    {
        var receiver = new OtlpReceiver();
        await receiver._app.StartAsync();
        receiver.Endpoint = receiver._app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        return receiver;
    }

    public List<ReceivedSpan> Spans
    {
        get
        {
            lock (_lock)
            {
                return [.. _spans];
            }
        }
    }

    /// <summary>Whether any exported byte sequence contains <paramref name="text"/> (UTF-8).</summary>
    public bool Contains(string text)
    {
        var needle = System.Text.Encoding.UTF8.GetBytes(text);
        lock (_lock)
        {
            return _bodies.Any(b => b.AsSpan().IndexOf(needle) >= 0);
        }
    }

    /// <summary>Until the received spans satisfy <paramref name="found"/>; the guard only prevents a hang.</summary>
    public async Task<T> WaitForAsync<T>(Func<List<ReceivedSpan>, T?> found, string what)
        where T : class
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            var spans = Spans;
            if (found(spans) is { } result)
            {
                return result;
            }

            Assert.True(DateTime.UtcNow < deadline, $"Timed out waiting for {what}; received:\n{string.Join("\n", spans.Select(s => s.ToString()))}");
            await Task.Delay(50);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    // opentelemetry-proto: ExportTraceServiceRequest{1: ResourceSpans}; ResourceSpans{1: Resource, 2: ScopeSpans};
    // Resource{1: KeyValue}; ScopeSpans{1: InstrumentationScope{1: name}, 2: Span}.
    private static List<ReceivedSpan> Decode(ByteString request)
    {
        var spans = new List<ReceivedSpan>();
        Fields(request, (field, input) =>
        {
            if (field != 1)
            {
                return false;
            }

            var service = "";
            var scopeSpans = new List<ByteString>();
            Fields(input.ReadBytes(), (f, resourceSpans) =>
            {
                switch (f)
                {
                    case 1:
                        service = Attributes(resourceSpans.ReadBytes(), 1).GetValueOrDefault("service.name", "");
                        return true;
                    case 2:
                        scopeSpans.Add(resourceSpans.ReadBytes());
                        return true;
                    default:
                        return false;
                }
            });
            foreach (var scoped in scopeSpans)
            {
                var scope = "";
                Fields(scoped, (f, s) =>
                {
                    switch (f)
                    {
                        case 1:
                            Fields(s.ReadBytes(), (g, i) => g == 1 && (scope = i.ReadString()) is not null);
                            return true;
                        case 2:
                            spans.Add(Span(service, scope, s.ReadBytes()));
                            return true;
                        default:
                            return false;
                    }
                });
            }

            return true;
        });
        return spans;
    }

    // Span{1: trace_id, 2: span_id, 4: parent_span_id, 5: name, 6: kind, 9: KeyValue, 11: Event{2: name}, 15: Status{2: message, 3: code}}.
    private static ReceivedSpan Span(string service, string scope, ByteString span)
    {
        string traceId = "", spanId = "", parentId = "", name = "", statusMessage = "";
        int kind = 0, statusCode = 0;
        var attributes = new Dictionary<string, string>();
        var events = new List<string>();
        Fields(span, (field, input) =>
        {
            switch (field)
            {
                case 1: traceId = Convert.ToHexStringLower(input.ReadBytes().Span); return true;
                case 2: spanId = Convert.ToHexStringLower(input.ReadBytes().Span); return true;
                case 4: parentId = Convert.ToHexStringLower(input.ReadBytes().Span); return true;
                case 5: name = input.ReadString(); return true;
                case 6: kind = input.ReadEnum(); return true;
                case 9:
                    var (key, value) = KeyValue(input.ReadBytes());
                    attributes[key] = value;
                    return true;
                case 11:
                    Fields(input.ReadBytes(), (f, e) =>
                    {
                        if (f == 2)
                        {
                            events.Add(e.ReadString());
                            return true;
                        }

                        return false;
                    });
                    return true;
                case 15:
                    Fields(input.ReadBytes(), (f, s) =>
                    {
                        switch (f)
                        {
                            case 2: statusMessage = s.ReadString(); return true;
                            case 3: statusCode = s.ReadEnum(); return true;
                            default: return false;
                        }
                    });
                    return true;
                default:
                    return false;
            }
        });
        return new ReceivedSpan(service, scope, traceId, spanId, parentId, name, kind, attributes, statusCode, statusMessage, events);
    }

    private static Dictionary<string, string> Attributes(ByteString message, int field)
    {
        var attributes = new Dictionary<string, string>();
        Fields(message, (f, input) =>
        {
            if (f != field)
            {
                return false;
            }

            var (key, value) = KeyValue(input.ReadBytes());
            attributes[key] = value;
            return true;
        });
        return attributes;
    }

    // KeyValue{1: key, 2: AnyValue{1: string, 2: bool, 3: int64, 4: double}}.
    private static (string Key, string Value) KeyValue(ByteString keyValue)
    {
        string key = "", value = "";
        Fields(keyValue, (field, input) =>
        {
            switch (field)
            {
                case 1:
                    key = input.ReadString();
                    return true;
                case 2:
                    Fields(input.ReadBytes(), (f, any) =>
                    {
                        switch (f)
                        {
                            case 1: value = any.ReadString(); return true;
                            case 2: value = any.ReadBool() ? "true" : "false"; return true;
                            case 3: value = any.ReadInt64().ToString(System.Globalization.CultureInfo.InvariantCulture); return true;
                            case 4: value = any.ReadDouble().ToString(System.Globalization.CultureInfo.InvariantCulture); return true;
                            default: return false;
                        }
                    });
                    return true;
                default:
                    return false;
            }
        });
        return (key, value);
    }

    /// <summary>Calls <paramref name="read"/> for each field; a field it does not read (returns false) is skipped.</summary>
    private static void Fields(ByteString message, Func<int, CodedInputStream, bool> read)
    {
        var input = message.CreateCodedInput();
        for (var tag = input.ReadTag(); tag != 0; tag = input.ReadTag())
        {
            if (!read(WireFormat.GetTagFieldNumber(tag), input))
            {
                input.SkipLastField();
            }
        }
    }
}
