using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Aegis.Core.Kits;
using Aegis.Core.Registry;
using Aegis.Daemon.Apps;
using Aegis.Daemon.Infrastructure;
using Aegis.Daemon.Instances;
using Aegis.Daemon.Kits;
using Aegis.Sandbox;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.Extensions.Options;
using Yarp.ReverseProxy.Forwarder;

namespace Aegis.Daemon.Router;

/// <summary>
/// <c>/agent/{appId}/{**path}</c>: proxies HTTP and WebSocket to the app's instance. A running instance is reached
/// straight from the <see cref="RouteTable"/>; otherwise the request wakes a served app (boot, resume or restore through
/// <see cref="InstanceManager.EnsureAsync"/>, one ensure shared by every request that waits) and waits for it. An app
/// that is not served (never declared with <c>aegis app serve</c>, or no longer) is not woken: a 503 says so.
/// </summary>
internal sealed partial class AgentRouter : IDisposable
{
    private const string NotServed = "App not served";

    private readonly IHttpForwarder _forwarder;
    private readonly RouteTable _routes;
    private readonly InstanceManager _instances;
    private readonly AppService _apps;
    private readonly KitCatalog _kits;
    private readonly AegisMetrics _metrics;
    private readonly IProblemDetailsService _problems;
    private readonly RouterOptions _options;
    private readonly IHostApplicationLifetime _lifetime;
    private readonly TimeProvider _time;
    private readonly ILogger<AgentRouter> _logger;
    private readonly HttpMessageInvoker _client;
    private readonly ForwarderRequestConfig _requestConfig;
    private readonly AgentTransformer _uiTransformer;
    private readonly AgentTransformer _plainTransformer = new(frameAncestors: null);
    private readonly ConcurrentDictionary<string, Task<InstanceEntity>> _wakes = new();

    public AgentRouter(
        IHttpForwarder forwarder,
        RouteTable routes,
        InstanceManager instances,
        AppService apps,
        KitCatalog kits,
        AegisMetrics metrics,
        IProblemDetailsService problems,
        IOptions<RouterOptions> options,
        IHostApplicationLifetime lifetime,
        TimeProvider time,
        ILogger<AgentRouter> logger)
    {
        _forwarder = forwarder;
        _routes = routes;
        _instances = instances;
        _apps = apps;
        _kits = kits;
        _metrics = metrics;
        _problems = problems;
        _options = options.Value;
        _lifetime = lifetime;
        _time = time;
        _logger = logger;
        _uiTransformer = new AgentTransformer(_options.FrameAncestors);
        _requestConfig = new ForwarderRequestConfig { ActivityTimeout = _options.ActivityTimeout };
        _client = new HttpMessageInvoker(new SocketsHttpHandler
        {
            UseProxy = false,
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
            UseCookies = false,
            EnableMultipleHttp2Connections = true,

            // The forward is traced as a client span (a handler without a propagator has none), but adds no trace
            // headers of aegisd's to what reaches the sandbox.
            ActivityHeadersPropagator = System.Diagnostics.DistributedContextPropagator.CreateNoOutputPropagator(),
            ConnectTimeout = _options.ConnectTimeout,
            ConnectCallback = ConnectAsync,
        });
    }

    public async Task ForwardAsync(HttpContext context)
    {
        var started = _time.GetTimestamp();
        var appId = (string)context.GetRouteValue("appId")!;

        // The app's own status codes and bodies pass through untouched.
        if (context.Features.Get<IStatusCodePagesFeature>() is { } statusPages)
        {
            statusPages.Enabled = false;
        }

        var woken = false;
        var route = _routes.Find(appId);
        if (route is null || !route.TryEnter(_time.GetUtcNow()))
        {
            route = await WakeAsync(context, appId);
            if (route is null)
            {
                _metrics.Routed(context.Response.StatusCode == StatusCodes.Status404NotFound ? "not_found" : "unavailable", _time.GetElapsedTime(started));
                return;
            }

            woken = true;
        }

        _metrics.RouterOpened();
        try
        {
            if (IsWebSocketUpgrade(context.Request) && !route.WebSocket)
            {
                await WriteProblemAsync(context, StatusCodes.Status400BadRequest, "WebSocket not routed", $"The kit of {appId} does not route WebSockets (routing.websocket).");
                return;
            }

            // Bytes both ways for the metrics (WebSocket frames travel on the upgraded stream and are not counted).
            var requestBody = new CountingStream(context.Request.Body);
            var responseBody = new CountingStream(context.Response.Body);
            context.Request.Body = requestBody;
            context.Response.Body = responseBody;
            ForwarderError error;
            try
            {
                error = await _forwarder.SendAsync(context, route.Destination, _client, _requestConfig, route.Ui ? _uiTransformer : _plainTransformer);
            }
            finally
            {
                context.Request.Body = requestBody.Inner;
                context.Response.Body = responseBody.Inner;
                _metrics.RouterBytes(requestBody.Count, responseBody.Count);
            }

            if (error != ForwarderError.None)
            {
                ForwardFailed(_logger, appId, route.InstanceId, error, context.GetForwarderErrorFeature()?.Exception);
            }

            _metrics.Routed(error != ForwarderError.None ? "proxy_error" : woken ? "woken" : "hot", _time.GetElapsedTime(started));
        }
        finally
        {
            route.Exit(_time.GetUtcNow());
            _metrics.RouterClosed();
        }
    }

    public void Dispose() => _client.Dispose();

    /// <summary>Opens a connection to a sandbox. What continues after a read on it is YARP copying the answer to the
    /// caller, which never blocks, so it may run on the socket event thread (<see cref="RouterOptions.InlineSocketCompletions"/>).</summary>
    private async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        if (_options.InlineSocketCompletions)
        {
            SocketCompletions.TryPreferInline(socket);
        }

        return new NetworkStream(socket, ownsSocket: true);
    }

    /// <summary>Waits for the app to run and returns its route, counted in; or writes the 404/503 and returns null.</summary>
    private async Task<InstanceRoute?> WakeAsync(HttpContext context, string appId)
    {
        var started = _time.GetTimestamp();
        using var activity = AegisTracing.Start("aegis.router.wake");
        activity?.SetTag(AegisTracing.AppId, appId);
        using var timeout = new CancellationTokenSource(_options.WakeTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, context.RequestAborted);
        try
        {
            var app = await _apps.GetAsync(appId, linked.Token);
            var (_, manifest) = await _kits.GetAsync(app.Kit, linked.Token);
            if (manifest.Routing is null)
            {
                throw new ApiProblem(StatusCodes.Status404NotFound, "App not routed", $"The kit of {appId} ({app.Kit}) has no routing section: it exposes no port.");
            }

            if (!app.Served)
            {
                throw new ApiProblem(StatusCodes.Status503ServiceUnavailable, NotServed, $"{appId} is not running and not served, so a request does not wake it (aegis app serve).");
            }

            while (true)
            {
                await WakeSharedAsync(appId).WaitAsync(linked.Token);

                // Usually the route is there and open; if an idle timer paused it again in between, wake again.
                if (_routes.Find(appId) is { } route && route.TryEnter(_time.GetUtcNow()))
                {
                    WakeWaited(activity, "ok", started);
                    return route;
                }
            }
        }
        catch (ApiProblem problem) when (problem.Status == StatusCodes.Status404NotFound)
        {
            WakeWaited(activity, "not_found", started, problem);
            await WriteProblemAsync(context, problem.Status, problem.Title, problem.Message);
        }
        catch (ApiProblem problem) when (problem.Title == NotServed)
        {
            // No Retry-After: waiting does not help until someone serves it again.
            WakeWaited(activity, "not_served", started);
            await WriteProblemAsync(context, problem.Status, problem.Title, problem.Message);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            WakeWaited(activity, "abandoned", started);
        }
        catch (OperationCanceledException ex) when (timeout.IsCancellationRequested)
        {
            WakeWaited(activity, "timeout", started, ex);
            WakeTimedOut(_logger, appId, _options.WakeTimeout.TotalSeconds);
            await WriteUnavailableAsync(context, "Wake timed out", $"{appId} did not wake within {_options.WakeTimeout.TotalSeconds:0.##} s; it is still starting.");
        }
        catch (Exception ex) when (ex is ApiProblem or SandboxException or KitHookException or InvalidOperationException or TimeoutException)
        {
            WakeWaited(activity, "failed", started, ex);
            await WriteUnavailableAsync(context, "Agent unavailable", $"{appId} could not be woken: {ex.Message}");
        }

        return null;
    }

    private void WakeWaited(System.Diagnostics.Activity? activity, string outcome, long started, Exception? failure = null)
    {
        _metrics.WakeWaited(outcome, _time.GetElapsedTime(started));
        if (failure is not null)
        {
            activity.Failed(failure);
        }

        activity?.SetTag(AegisTracing.Outcome, outcome);
    }

    /// <summary>The ensure in progress for the app, or a new one. It runs to the end even when every waiter has given up,
    /// so a boot is never abandoned half-way, and the next request finds the instance running.</summary>
    private Task<InstanceEntity> WakeSharedAsync(string appId)
    {
        while (true)
        {
            if (_wakes.TryGetValue(appId, out var running))
            {
                return running;
            }

            var wake = new TaskCompletionSource<InstanceEntity>(TaskCreationOptions.RunContinuationsAsynchronously);
            if (_wakes.TryAdd(appId, wake.Task))
            {
                _ = RunWakeAsync(appId, wake);
                return wake.Task;
            }
        }
    }

    private async Task RunWakeAsync(string appId, TaskCompletionSource<InstanceEntity> wake)
    {
        try
        {
            Waking(_logger, appId);
            wake.SetResult(await _instances.EnsureAsync(appId, null, _lifetime.ApplicationStopping));
        }
        catch (Exception ex)
        {
            WakeFailed(_logger, appId, ex);
            wake.SetException(ex);
            _ = wake.Task.Exception; // observed: the waiters may all have given up already
        }
        finally
        {
            _wakes.TryRemove(new KeyValuePair<string, Task<InstanceEntity>>(appId, wake.Task));
        }
    }

    private Task WriteUnavailableAsync(HttpContext context, string title, string detail)
    {
        context.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(_options.RetryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        return WriteProblemAsync(context, StatusCodes.Status503ServiceUnavailable, title, detail);
    }

    private async Task WriteProblemAsync(HttpContext context, int status, string title, string detail)
    {
        context.Response.StatusCode = status;
        await _problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = { Status = status, Title = title, Detail = detail },
        });
    }

    private static bool IsWebSocketUpgrade(HttpRequest request) =>
        request.Headers.Upgrade.Any(u => string.Equals(u, "websocket", StringComparison.OrdinalIgnoreCase))
        || (HttpMethods.IsConnect(request.Method) && string.Equals(request.Headers[":protocol"], "websocket", StringComparison.OrdinalIgnoreCase));

    [LoggerMessage(1, LogLevel.Information, "Router: waking {AppId}")]
    private static partial void Waking(ILogger logger, string appId);

    [LoggerMessage(2, LogLevel.Warning, "Router: waking {AppId} failed")]
    private static partial void WakeFailed(ILogger logger, string appId, Exception exception);

    [LoggerMessage(3, LogLevel.Warning, "Router: {AppId} did not wake within {Seconds} s")]
    private static partial void WakeTimedOut(ILogger logger, string appId, double seconds);

    [LoggerMessage(4, LogLevel.Warning, "Router: forwarding to {AppId} ({InstanceId}) failed: {Error}")]
    private static partial void ForwardFailed(ILogger logger, string appId, string instanceId, ForwarderError error, Exception? exception);
}
