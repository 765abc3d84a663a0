using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Famiglia.Web.AgentApi;

/// <summary><c>limit</c> (default 50, larger than 200 clamps to 200, 0 counts only) and <c>offset</c> (default 0).</summary>
internal readonly record struct Paging(int Limit, int Offset)
{
    public const int DefaultLimit = 50;
    public const int MaxLimit = 200;

    /// <summary>Parses the raw query values; a negative or non-numeric value is a 400 that names the parameter.</summary>
    public static bool TryParse(string? limit, string? offset, out Paging paging, out ValidationProblem? problem)
    {
        var errors = new Dictionary<string, string[]>();
        var parsedLimit = Parse(limit, "limit", DefaultLimit, errors);
        var parsedOffset = Parse(offset, "offset", 0, errors);
        paging = new Paging(Math.Min(parsedLimit, MaxLimit), parsedOffset);
        problem = errors.Count == 0 ? null : TypedResults.ValidationProblem(errors, title: "Invalid paging parameter");
        return problem is null;
    }

    public Page<T> ToPage<T>(IReadOnlyList<T> data, int total) => new(data, total, (long)Offset + data.Count < total);

    /// <summary>Counts, then reads one page of an ordered query.</summary>
    public async Task<(int Total, List<T> Items)> ReadAsync<T>(IQueryable<T> ordered, CancellationToken cancellationToken)
    {
        var total = await ordered.CountAsync(cancellationToken);
        return (total, await ReadAsync(ordered, total, cancellationToken));
    }

    /// <summary>Reads one page of an ordered query whose total is already known.</summary>
    public async Task<List<T>> ReadAsync<T>(IQueryable<T> ordered, int total, CancellationToken cancellationToken)
    {
        var items = Limit == 0 || Offset >= total ? [] : await ordered.Skip(Offset).Take(Limit).ToListAsync(cancellationToken);
        return items;
    }

    private static int Parse(string? value, string name, int fallback, Dictionary<string, string[]> errors)
    {
        if (string.IsNullOrEmpty(value))
        {
            return fallback;
        }

        if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed))
        {
            // NumberStyles.None refuses signs, so "-1" lands here along with "abc"; values past int.MaxValue too.
            if (name == "limit" && value.All(char.IsAsciiDigit))
            {
                return MaxLimit;
            }

            errors[name] = [$"'{name}' must be a non-negative integer."];
            return fallback;
        }

        return parsed;
    }
}
