namespace Behorighetsportal; internal static class Placeholder {}
