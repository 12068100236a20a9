Console.WriteLine("usage: SampleAgent pkce [--headless] | apikey [--key aly_...]");
return 2;
