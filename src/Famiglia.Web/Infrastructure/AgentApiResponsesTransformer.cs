using System.Text.Json.Nodes;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Famiglia.Web.Infrastructure;

/// <summary>
/// What every Agent Data API path answers besides its own result, which the endpoints cannot declare themselves because
/// the middleware and the read-only routes produce it: 401 (no, unknown or revoked key, with <c>WWW-Authenticate</c>),
/// 429 (over the rate limit, with <c>Retry-After</c>), the rate-limit headers on every response, and 405 with
/// <c>Allow: GET</c> for POST, PUT, PATCH and DELETE.
/// </summary>
internal sealed class AgentApiResponsesTransformer : IOpenApiDocumentTransformer
{
    private const string Prefix = "/api/agent/";

    private static readonly HttpMethod[] MutationVerbs = [HttpMethod.Post, HttpMethod.Put, HttpMethod.Patch, HttpMethod.Delete];

    private static readonly (string Name, string Description)[] RateLimitHeaders =
    [
        ("RateLimit", "IETF draft: remaining quota and seconds until the window resets, e.g. `limit=100, remaining=99, reset=60`."),
        ("RateLimit-Policy", "IETF draft: the policy, e.g. `100;w=60`."),
        ("X-RateLimit-Limit", "Requests allowed per window (100)."),
        ("X-RateLimit-Remaining", "Requests left in the current window."),
        ("X-RateLimit-Reset", "Seconds until the current window resets."),
    ];

    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Components ??= new OpenApiComponents();
        document.Components.Schemas ??= new Dictionary<string, IOpenApiSchema>();
        document.Components.Schemas.TryAdd("ProblemDetails", ProblemDetailsSchema());
        var problem = new OpenApiSchemaReference("ProblemDetails", document);

        foreach (var (path, item) in document.Paths.Where(p => p.Key.StartsWith(Prefix, StringComparison.Ordinal)))
        {
            if (item is not OpenApiPathItem pathItem)
            {
                continue;
            }

            pathItem.Operations ??= [];
            foreach (var operation in pathItem.Operations.Values)
            {
                operation.Responses ??= new OpenApiResponses();
                foreach (var response in operation.Responses.Values.OfType<OpenApiResponse>())
                {
                    AddRateLimitHeaders(response);
                }

                operation.Responses.TryAdd("401", Problem(problem, "No, an unknown or a revoked API key.",
                    ("WWW-Authenticate", "`Bearer realm=\"famiglia\"`, with `error=\"invalid_token\"` for an unknown or revoked key.")));
                operation.Responses.TryAdd("429", Problem(problem, "Over the agent's rate limit (100 requests/minute).",
                    ("Retry-After", "Seconds until the window resets.")));
            }

            foreach (var verb in MutationVerbs)
            {
                pathItem.Operations.TryAdd(verb, new OpenApiOperation
                {
                    Summary = "Not allowed: the Agent Data API is read-only",
                    Tags = pathItem.Operations.Values.FirstOrDefault()?.Tags,
                    Responses = new OpenApiResponses
                    {
                        ["405"] = Problem(problem, $"{path} answers GET only.", ("Allow", "`GET`")),
                        ["401"] = Problem(problem, "No, an unknown or a revoked API key (checked first)."),
                    },
                });
            }
        }

        return Task.CompletedTask;
    }

    private static OpenApiResponse Problem(OpenApiSchemaReference schema, string description, params (string Name, string Description)[] headers)
    {
        var response = new OpenApiResponse
        {
            Description = description,
            Content = new Dictionary<string, OpenApiMediaType> { ["application/problem+json"] = new() { Schema = schema } },
            Headers = new Dictionary<string, IOpenApiHeader>(),
        };
        foreach (var (name, text) in headers)
        {
            response.Headers[name] = StringHeader(text);
        }

        AddRateLimitHeaders(response);
        return response;
    }

    private static void AddRateLimitHeaders(OpenApiResponse response)
    {
        response.Headers ??= new Dictionary<string, IOpenApiHeader>();
        foreach (var (name, text) in RateLimitHeaders)
        {
            response.Headers.TryAdd(name, StringHeader(text));
        }
    }

    private static OpenApiHeader StringHeader(string description) =>
        new() { Description = description, Schema = new OpenApiSchema { Type = JsonSchemaType.String } };

    private static OpenApiSchema ProblemDetailsSchema() => new()
    {
        Type = JsonSchemaType.Object,
        Description = "RFC 9457 problem details.",
        Properties = new Dictionary<string, IOpenApiSchema>
        {
            ["type"] = new OpenApiSchema { Type = JsonSchemaType.String | JsonSchemaType.Null },
            ["title"] = new OpenApiSchema { Type = JsonSchemaType.String | JsonSchemaType.Null },
            ["status"] = new OpenApiSchema { Type = JsonSchemaType.Integer | JsonSchemaType.Null, Format = "int32" },
            ["detail"] = new OpenApiSchema { Type = JsonSchemaType.String | JsonSchemaType.Null },
            ["instance"] = new OpenApiSchema { Type = JsonSchemaType.String | JsonSchemaType.Null },
        },
        Examples = [JsonNode.Parse("""{"type":"https://tools.ietf.org/html/rfc9110#section-15.5.2","title":"Unauthorized","status":401,"detail":"The API key is unknown or revoked."}""")!],
    };
}
