using Behorighetsportal.Amu;
using Behorighetsportal.Audit;
using Behorighetsportal.Delegations;
using Behorighetsportal.Directory;
using Behorighetsportal.Durable;
using Behorighetsportal.Email;
using Behorighetsportal.Kiv;
using Behorighetsportal.Leavers;
using Behorighetsportal.Http;
using Behorighetsportal.Links;
using Behorighetsportal.Orders;
using Behorighetsportal.OrdererRoles;
using Behorighetsportal.Passwords;
using Behorighetsportal.Policies;
using Behorighetsportal.Portal;
using Behorighetsportal.Requests;
using Behorighetsportal.Storage;
using Behorighetsportal.Web;
using Microsoft.DurableTask;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Behorighetsportal;

/// <summary>The product as both hosts (Functions and devhost) wire it: one call each.</summary>
public static class PortalServices
{
    public static IServiceCollection AddBehorighetsportal(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton(TimeProvider.System);
        services.AddOptions<StorageOptions>()
            .Configure(o => o.ReadConnection(configuration))
            .Bind(configuration.GetSection("Storage"));
        Bind<EmailOptions>(services, EmailOptions.SectionName);
        Bind<PortalOptions>(services, PortalOptions.SectionName);
        Bind<LinkOptions>(services, LinkOptions.SectionName);
        services.AddSingleton<IValidateOptions<LinkOptions>, LinkOptionsValidator>();
        Bind<AuthOptions>(services, AuthOptions.SectionName);
        Bind<IntegrationOptions>(services, IntegrationOptions.SectionName);
        services.AddSingleton<IValidateOptions<IntegrationOptions>, IntegrationOptionsValidator>();
        Bind<WorkflowOptions>(services, WorkflowOptions.SectionName);
        Bind<DelegationOptions>(services, DelegationOptions.SectionName);
        services.AddOptions<PolicyOptions>().BindConfiguration(PolicyOptions.SectionName);
        Bind<PageOptions>(services, PageOptions.SectionName);
        // Pages keep Swedish letters readable in their source (only markup is escaped), as the emails do.
        services.AddSingleton(System.Text.Encodings.Web.HtmlEncoder.Create(System.Text.Unicode.UnicodeRanges.All));

        services.AddSingleton<StorageAccount>();
        services.AddSingleton<DirectoryRepository>();
        services.AddSingleton<OrderIndex>();
        services.AddSingleton<OrderRepository>();
        services.AddSingleton<OrderQueries>();
        services.AddSingleton<OrderApprovals>();
        services.AddSingleton<AccessApprovals>();
        services.AddSingleton<AuditLog>();
        services.AddSingleton<OneTimeActions>();
        services.AddSingleton<DelegationRepository>();
        services.AddSingleton<CallerResolver>();
        services.AddSingleton<PersonNames>();
        services.AddSingleton<OrderLinkGate>();
        services.AddSingleton<AccessRequestRepository>();
        services.AddSingleton<AccessRequestTexts>();
        services.AddSingleton<AccessRequestStarter>();
        services.AddSingleton(AmuCatalog.FromEmbeddedDemo());
        services.AddSingleton<PolicyRepository>();
        services.AddSingleton<PolicyEngine>();
        services.AddSingleton<PolicyService>();
        services.AddSingleton<OrchestrationStarter>();
        services.AddSingleton<KivImportRepository>();
        services.AddSingleton<PersonReconciler>();
        services.AddSingleton<InitialPasswordVault>();
        services.AddSingleton<UserServiceActivation>();
        services.AddSingleton<OrderActivation>();
        services.AddSingleton<InitialPasswordNotice>();
        services.AddSingleton<OrdererNotifier>();
        services.AddSingleton(new ServiceLevelCatalog(DemoOrganization.LoadServiceLevels()));
        services.AddSingleton<SigningKeyRing>();
        services.AddSingleton<LinkSigner>();
        services.AddSingleton<CallerReader>();
        services.AddFormProtection();
        services.AddSingleton<IEmailSender, SmtpEmailSender>();

        services.AddSingleton<HealthEndpoints>();
        services.AddSingleton<ActablePeople>();
        services.AddSingleton<AssignedPermissions>();
        services.AddSingleton<OrderPlacement>();
        services.AddSingleton<OrderCancellation>();
        services.AddSingleton<OrderEndpoints>();
        services.AddSingleton<ApprovalEndpoints>();
        services.AddSingleton<AttestationEndpoints>();
        services.AddSingleton<PasswordEndpoints>();
        services.AddSingleton<DelegationService>();
        services.AddSingleton<DelegationEndpoints>();
        services.AddSingleton<PeopleEndpoints>();
        services.AddSingleton<Approvals.ApprovalQueue>();
        services.AddSingleton<AccessApprovalEndpoints>();
        services.AddSingleton<OrdererRoleService>();
        services.AddSingleton<OrdererRoleEndpoints>();
        services.AddSingleton<AmuService>();
        services.AddSingleton<AmuEndpoints>();
        services.AddSingleton<PolicyEndpoints>();
        services.AddSingleton<KivImportEndpoints>();

        services.AddSingleton<PageSession>();
        services.AddSingleton<WaitingPasswords>();
        services.AddPortalPages();
        return services;
    }

    /// <summary>Every orchestrator and activity, for hosts that run the Durable Task worker directly.</summary>
    public static void RegisterTasks(DurableTaskRegistry registry)
    {
        registry.AddOrchestrator<OrderLifecycleOrchestrator>();
        registry.AddActivity<RequestApprovalActivity>();
        registry.AddActivity<RecordOrderStepActivity>();
        registry.AddActivity<ExpireDecisionActivity>();
        registry.AddActivity<NotifyOrdererActivity>();
        registry.AddActivity<ActivateUserServiceActivity>();
        registry.AddActivity<SendInitialPasswordNoticeActivity>();

        registry.AddOrchestrator<DelegationLifecycleOrchestrator>();
        registry.AddActivity<StartDelegationActivity>();
        registry.AddActivity<EndDelegationActivity>();

        registry.AddOrchestrator<AccessRequestLifecycleOrchestrator>();
        registry.AddActivity<RequestAccessApprovalActivity>();
        registry.AddActivity<CloseAccessApprovalActivity>();
        registry.AddActivity<GrantAccessActivity>();
        registry.AddActivity<EndAccessActivity>();

        registry.AddOrchestrator<KivImportOrchestrator>();
        registry.AddActivity<ApplyKivChunkActivity>();
        registry.AddActivity<ActivatePolicyOrdersActivity>();
        registry.AddActivity<ResumeOrphanedOrdersActivity>();
        registry.AddActivity<CompleteKivImportActivity>();

        registry.AddOrchestrator<NightlyReconciliationOrchestrator>();
        registry.AddActivity<ListOrgUnitsActivity>();
        registry.AddActivity<ReconcileOrgUnitActivity>();

        registry.AddOrchestrator<EngagementEndOrchestrator>();
        registry.AddActivity<CloseEngagementActivity>();
    }

    private static void Bind<T>(IServiceCollection services, string section)
        where T : class =>
        services.AddOptions<T>().BindConfiguration(section).ValidateDataAnnotations().ValidateOnStart();
}
