using System.Text.Json.Serialization;
using Famiglia.Web.Agents;
using Famiglia.Web.Demo;
using Famiglia.Web.Spaces;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Famiglia.Web.Infrastructure;

internal static class WebSetup
{
    public static WebApplicationBuilder AddFamiglia(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<FamigliaOptions>().BindConfiguration("Famiglia")
            .Validate(o => Path.IsPathFullyQualified(o.DataDirectory), "Famiglia:DataDirectory must be an absolute path.")
            .ValidateOnStart();
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddProblemDetails();
        builder.Services.ConfigureHttpJsonOptions(json => json.SerializerOptions.Converters.Add(new JsonStringEnumConverter()));

        builder.AddFamigliaDatabase();
        builder.Services.AddDataProtection().SetApplicationName("famiglia-web");
        builder.Services.AddOptions<KeyManagementOptions>().Configure<IOptions<FamigliaOptions>, ILoggerFactory>((keys, famiglia, loggers) =>
            keys.XmlRepository = new FileSystemXmlRepository(new DirectoryInfo(famiglia.Value.KeyRingDirectory), loggers));
        builder.Services.AddSingleton<SecretBox>();
        builder.Services.AddSingleton<MediaStore>();
        builder.Services.AddSingleton<DatabaseInitializer>();
        builder.Services.AddHostedService(services => services.GetRequiredService<DatabaseInitializer>());
        builder.Services.AddSingleton<ApiKeyService>();
        builder.Services.AddSingleton<DemoSeeder>();
        builder.Services.AddOpenApi(options => options
            .AddDocumentTransformer<BearerSecurityTransformer>()
            .AddDocumentTransformer<AgentApiResponsesTransformer>());
        return builder;
    }

    public static WebApplication MapFamiglia(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.MapGet("/healthz", () => TypedResults.Ok(new { status = "ok" })).ExcludeFromDescription();
        app.MapOpenApi();
        app.MapApiReference();
        return app;
    }
}
