using Behorighetsportal;
using Behorighetsportal.Telemetry;
using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Azure.Functions.Worker.OpenTelemetry;
using Microsoft.Extensions.Hosting;

// The Functions host: the same product as the devhost, bound to triggers. Rules live in workflows/.
var builder = FunctionsApplication.CreateBuilder(args);
builder.ConfigureFunctionsWebApplication();
builder.Services.AddBehorighetsportal(builder.Configuration);
builder.Services.AddPortalTelemetry(builder.Configuration).UseFunctionsWorkerDefaults();
builder.Build().Run();
