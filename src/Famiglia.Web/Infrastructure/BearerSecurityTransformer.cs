using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Famiglia.Web.Infrastructure;

/// <summary>Declares the Data API's bearer key in the OpenAPI document, so generated clients send it.</summary>
internal sealed class BearerSecurityTransformer : IOpenApiDocumentTransformer
{
    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Info.Title = "Famiglia Agent Data API";
        document.Info.Description = "Read-only access to a group's Space data for its agents (spec §6.2). 100 requests/minute per agent.";
        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        document.Components.SecuritySchemes["bearer"] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            Description = "The agent's FAMIGLIA_API_KEY.",
        };
        document.Security ??= [];
        document.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference("bearer", document)] = [] });
        return Task.CompletedTask;
    }
}
