using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Filters;

namespace Famiglia.Web.Ui;

/// <summary>
/// A request for a handler a page does not have (a form posted to <c>?handler=Nope</c>, a POST to a page without one)
/// is a 404. Razor Pages would render the page without running any handler, i.e. without its model: a 500. (A GET
/// names no handler or one that falls back to <c>OnGet</c>, which every page here has.)
/// </summary>
internal sealed class HandlerRequiredFilter : IAsyncPageFilter
{
    public Task OnPageHandlerSelectionAsync(PageHandlerSelectedContext context) => Task.CompletedTask;

    public async Task OnPageHandlerExecutionAsync(PageHandlerExecutingContext context, PageHandlerExecutionDelegate next)
    {
        if (context.HandlerMethod is null)
        {
            context.Result = new NotFoundResult();
            return;
        }

        await next();
    }
}
