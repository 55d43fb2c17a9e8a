using System.Xml.Linq;
using Azure.Data.Tables;
using Microsoft.AspNetCore.DataProtection.Repositories;

namespace Behorighetsportal.Storage;

/// <summary>
/// Keeps ASP.NET Core's data-protection key ring (which signs the pages' antiforgery tokens) in the product's own
/// table, so every instance of the Functions app and every restart of the devhost accepts the tokens the others
/// issued. The ring holds no personal data; it is protected by the storage account's access control.
/// </summary>
public sealed class TableXmlRepository(StorageAccount storage) : IXmlRepository
{
    private const string Partition = "keyring";

    public IReadOnlyCollection<XElement> GetAllElements()
    {
        storage.EnsureCreatedAsync().GetAwaiter().GetResult();
        return storage.Table(TableNames.DataProtectionKeys)
            .Query<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {Partition}"))
            .Select(row => XElement.Parse(row.GetString("Xml")))
            .ToList();
    }

    public void StoreElement(XElement element, string friendlyName)
    {
        storage.EnsureCreatedAsync().GetAwaiter().GetResult();
        var row = new TableEntity(Partition, string.IsNullOrEmpty(friendlyName) ? Guid.NewGuid().ToString("N") : friendlyName)
        {
            ["Xml"] = element.ToString(SaveOptions.DisableFormatting),
        };
        storage.Table(TableNames.DataProtectionKeys).UpsertEntity(row, TableUpdateMode.Replace);
    }
}
