using Behorighetsportal;
using Behorighetsportal.DevHost;
using Behorighetsportal.DevHost.Durable;
using Behorighetsportal.Telemetry;

// The devhost: the Functions app's routes on ASP.NET Core and its orchestrations on the Durable Task engine
// over Azure Storage (Azurite), for machines without Azure Functions Core Tools.
var builder = WebApplication.CreateBuilder(args);
builder.Services.AddBehorighetsportal(builder.Configuration);
builder.Services.AddPortalTelemetry(builder.Configuration);
builder.Services.AddDurableEngine(DevHostSettings.DurableEngine(builder.Configuration), PortalServices.RegisterTasks);
builder.Services.AddDurableTimerSettings(builder.Configuration);
builder.Services.AddDemoSeed(builder.Configuration);
builder.Services.AddHostedService<NightlySchedule>();
builder.Services.AddBoundedShutdown();

var app = builder.Build();
app.UseDevSignIn();
app.MapPortalRoutes();
app.Run();

/// <summary>Visible to the end-to-end tests, which start the devhost in-process.</summary>
public partial class Program;
