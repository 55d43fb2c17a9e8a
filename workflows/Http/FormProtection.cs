using System.Xml.Linq;
using Azure;
using Azure.Data.Tables;
using Behorighetsportal.Storage;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Behorighetsportal.Http;

/// <summary>
/// ASP.NET Core's antiforgery tokens for the HTML forms, in both hosts (both give the handlers an ASP.NET Core
/// HttpContext). The tokens are bound to the person signed in, and the keys they are made with are kept in table
/// storage, so a page rendered by one instance of the Functions app (or before a restart) posts to another.
/// </summary>
public static class FormProtection
{
    public const string CookieName = "behorighetsportal-formular";

    public static IServiceCollection AddFormProtection(this IServiceCollection services)
    {
        services.AddDataProtection().SetApplicationName("Behorighetsportal");
        services.AddSingleton<IConfigureOptions<KeyManagementOptions>, KeysInTableStorage>();
        services.AddAntiforgery(options =>
        {
            options.Cookie.Name = CookieName;
            options.Cookie.SameSite = SameSiteMode.Strict;

            // Pages say frame-ancestors 'none' and X-Frame-Options DENY themselves (HtmlPage), stricter than SAMEORIGIN.
            options.SuppressXFrameOptionsHeader = true;
        });
        services.AddSingleton<IAntiforgeryAdditionalDataProvider, TokensForTheCaller>();
        services.AddSingleton<SameOriginPolicy>();
        services.AddSingleton<FormPosts>();
        return services;
    }

    /// <summary>A token is made for one signed-in person (HSA-id from the principal header): another person's request cannot use it.</summary>
    private sealed class TokensForTheCaller(CallerReader reader) : IAntiforgeryAdditionalDataProvider
    {
        public string GetAdditionalData(HttpContext context) => reader.PersonHsaId(context.Request) ?? "";

        public bool ValidateAdditionalData(HttpContext context, string additionalData) =>
            string.Equals(additionalData, GetAdditionalData(context), StringComparison.Ordinal);
    }

    private sealed class KeysInTableStorage(StorageAccount storage) : IConfigureOptions<KeyManagementOptions>
    {
        public void Configure(KeyManagementOptions options) => options.XmlRepository = new TableXmlRepository(storage.Table(TableNames.DataProtectionKeys));
    }

    /// <summary>
    /// The data-protection key ring as rows of one partition. The platform gives a Flex Consumption instance no shared
    /// file system, where ASP.NET Core would keep it otherwise. Keys are stored unencrypted, beside the data they protect.
    /// </summary>
    private sealed class TableXmlRepository(TableClient table) : IXmlRepository
    {
        private const string Partition = "keys";
        private int _created;

        public IReadOnlyCollection<XElement> GetAllElements()
        {
            EnsureCreated();
            return table.Query<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {Partition}"))
                .Select(row => XElement.Parse(row.GetString("Xml")))
                .ToList();
        }

        public void StoreElement(XElement element, string friendlyName)
        {
            EnsureCreated();
            var key = string.IsNullOrEmpty(friendlyName) ? Guid.NewGuid().ToString("N") : friendlyName;
            try
            {
                table.AddEntity(new TableEntity(Partition, key) { ["Xml"] = element.ToString(SaveOptions.DisableFormatting) });
            }
            catch (RequestFailedException e) when (e.Status == 409)
            {
                // Stored already by an attempt whose answer was lost: key ids are unique.
            }
        }

        private void EnsureCreated()
        {
            if (Volatile.Read(ref _created) == 0)
            {
                table.CreateIfNotExists();
                Volatile.Write(ref _created, 1);
            }
        }
    }
}
