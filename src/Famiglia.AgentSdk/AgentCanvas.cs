using System.Text;
using Famiglia.AgentSdk.Protocol;

namespace Famiglia.AgentSdk;

/// <summary>The agent's canvas: the files the harness serves on port 80 and the room shows as the agent's tab.
/// Paths are relative to the canvas root with <c>/</c> separators; the harness refuses absolute paths, <c>..</c>,
/// <c>\</c> and a first segment starting with <c>_</c> (<see cref="FamigliaErrorCodes.CanvasError"/>, field <c>path</c>).
/// Writes are atomic and create parent directories. Call <see cref="BumpVersionAsync"/> after a change so open
/// browsers reload.</summary>
public sealed class AgentCanvas
{
    private readonly FamigliaAgent _agent;

    internal AgentCanvas(FamigliaAgent agent) => _agent = agent;

    /// <summary>Writes a text file (UTF-8), replacing it when it exists.</summary>
    /// <param name="path">The canvas path, for instance <c>index.html</c>.</param>
    /// <param name="text">The file's content.</param>
    /// <param name="cancellationToken">Stops waiting for the answer.</param>
    public async Task WriteAsync(string path, string text, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(text);
        await _agent.InvokeAsync(
            "canvas.write", new CanvasTextParams(path, text), AgentJsonContext.Default.CanvasTextParams, AgentJsonContext.Default.CanvasWriteResult, cancellationToken);
    }

    /// <summary>Writes a binary file, replacing it when it exists. The bytes travel base64-encoded in one protocol
    /// line of at most 4 MiB, so a file must stay under about 3 MiB.</summary>
    /// <param name="path">The canvas path, for instance <c>images/cover.png</c>.</param>
    /// <param name="bytes">The file's content.</param>
    /// <param name="cancellationToken">Stops waiting for the answer.</param>
    public async Task WriteAsync(string path, ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        await _agent.InvokeAsync(
            "canvas.write", new CanvasBytesParams(path, bytes), AgentJsonContext.Default.CanvasBytesParams, AgentJsonContext.Default.CanvasWriteResult, cancellationToken);
    }

    /// <summary>Reads a file as text. A file that is not valid UTF-8 is decoded with replacement characters, as
    /// <see cref="File.ReadAllTextAsync(string, CancellationToken)"/> does.</summary>
    /// <param name="path">The canvas path.</param>
    /// <param name="cancellationToken">Stops waiting for the answer.</param>
    /// <exception cref="FamigliaAgentException">The file does not exist (<see cref="FamigliaErrorCodes.CanvasError"/>).</exception>
    public async Task<string> ReadTextAsync(string path, CancellationToken cancellationToken = default)
    {
        var file = await ReadAsync(path, cancellationToken);
        return file.Text ?? Encoding.UTF8.GetString(file.Base64 ?? []);
    }

    /// <summary>Reads a file's bytes, whether the harness sent it as text or as base64.</summary>
    /// <param name="path">The canvas path.</param>
    /// <param name="cancellationToken">Stops waiting for the answer.</param>
    /// <exception cref="FamigliaAgentException">The file does not exist (<see cref="FamigliaErrorCodes.CanvasError"/>).</exception>
    public async Task<byte[]> ReadBytesAsync(string path, CancellationToken cancellationToken = default)
    {
        var file = await ReadAsync(path, cancellationToken);
        return file.Base64 ?? Encoding.UTF8.GetBytes(file.Text ?? "");
    }

    /// <summary>Deletes a file.</summary>
    /// <param name="path">The canvas path.</param>
    /// <param name="cancellationToken">Stops waiting for the answer.</param>
    /// <returns>False when the file did not exist.</returns>
    public async Task<bool> DeleteAsync(string path, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var result = await _agent.InvokeAsync(
            "canvas.delete", new CanvasPathParams(path), AgentJsonContext.Default.CanvasPathParams, AgentJsonContext.Default.CanvasDeleteResult, cancellationToken);
        return result.Deleted;
    }

    /// <summary>Tells open browsers the canvas changed: pages polling <c>_canvas/version</c> or listening on
    /// <c>_canvas/events</c> reload.</summary>
    /// <param name="cancellationToken">Stops waiting for the answer.</param>
    /// <returns>The new canvas version.</returns>
    public async Task<long> BumpVersionAsync(CancellationToken cancellationToken = default)
    {
        var result = await _agent.InvokeAsync(
            "canvas.bumpVersion", new EmptyParams(), AgentJsonContext.Default.EmptyParams, AgentJsonContext.Default.CanvasVersionResult, cancellationToken);
        return result.Version;
    }

    private Task<CanvasReadResult> ReadAsync(string path, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return _agent.InvokeAsync(
            "canvas.read", new CanvasPathParams(path), AgentJsonContext.Default.CanvasPathParams, AgentJsonContext.Default.CanvasReadResult, cancellationToken);
    }
}
