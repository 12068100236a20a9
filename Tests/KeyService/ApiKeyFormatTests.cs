using AlyAspire.Shared.ApiKeys;
using AlyAspire.Shared.Credentials;

namespace AlyAspire.Tests.KeyService;

public sealed class ApiKeyFormatTests
{
    [Fact]
    public void Generated_keys_pass_their_own_check_and_classify_as_api_keys()
    {
        var keys = Enumerable.Range(0, 1_000).Select(_ => ApiKeyFormat.Generate()).ToList();

        Assert.Equal(keys.Count, keys.Distinct().Count());
        Assert.All(keys, key =>
        {
            Assert.Equal(ApiKeyFormatError.None, ApiKeyFormat.Check(key));
            Assert.Equal(ApiKeyFormat.Length, key.Length);
            Assert.StartsWith(CredentialFormats.ApiKeyPrefix, key, StringComparison.Ordinal);
            Assert.DoesNotContain('_', key[CredentialFormats.ApiKeyPrefix.Length..]);
            Assert.Equal(CredentialKind.ApiKey, CredentialFormats.Classify(key));
        });
    }

    [Fact]
    public void Every_single_character_typo_is_caught_by_the_checksum()
    {
        var key = ApiKeyFormat.Generate();
        for (var position = CredentialFormats.ApiKeyPrefix.Length; position < key.Length; position++)
        {
            foreach (var replacement in ApiKeyFormat.Alphabet.Where(c => c != key[position]))
            {
                var typo = string.Concat(key.AsSpan(0, position), [replacement], key.AsSpan(position + 1));
                Assert.Equal(ApiKeyFormatError.BadChecksum, ApiKeyFormat.Check(typo));
            }
        }
    }

    [Fact]
    public void Swapped_neighbours_are_caught_by_the_checksum()
    {
        var key = ApiKeyFormat.Generate();
        for (var position = CredentialFormats.ApiKeyPrefix.Length; position < key.Length - 1; position++)
        {
            if (key[position] == key[position + 1])
            {
                continue;
            }

            var chars = key.ToCharArray();
            (chars[position], chars[position + 1]) = (chars[position + 1], chars[position]);
            Assert.Equal(ApiKeyFormatError.BadChecksum, ApiKeyFormat.Check(new string(chars)));
        }
    }

    [Theory]
    [InlineData("")]
    [InlineData("aly_")]
    [InlineData("sk_live_0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZab")]
    [InlineData("aly_oauth_0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ")]
    [InlineData("ALY_0123456789ABCDEFGHIJKLMNOPQRSTUV012345")]
    [InlineData("aly_0123456789ABCDEFGHIJKLMNOPQRSTU_012345")]
    [InlineData("aly_0123456789ABCDEFGHIJKLMNOPQRSTUV01234")]
    [InlineData("aly_0123456789ABCDEFGHIJKLMNOPQRSTUV0123456")]
    [InlineData("aly_0123456789ABCDEFGHIJKLMNOPQRSTUé012345")]
    public void Malformed_strings_are_refused_before_any_checksum(string candidate)
    {
        Assert.Equal(ApiKeyFormatError.Malformed, ApiKeyFormat.Check(candidate));
        Assert.Equal(ApiKeyInvalidReasons.Malformed, ApiKeyFormat.InvalidReason(ApiKeyFormat.Check(candidate)));
    }

    [Fact]
    public void A_made_up_key_of_the_right_shape_fails_the_checksum()
    {
        Assert.Equal(ApiKeyFormatError.BadChecksum, ApiKeyFormat.Check("aly_0123456789ABCDEFGHIJKLMNOPQRSTUV000000"));
        Assert.Equal(ApiKeyInvalidReasons.BadChecksum, ApiKeyFormat.InvalidReason(ApiKeyFormatError.BadChecksum));
    }

    [Fact]
    public void Display_form_shows_four_characters_either_side_and_never_the_rest()
    {
        var key = ApiKeyFormat.Generate();
        var display = ApiKeyFormat.DisplayForm(key);

        Assert.Equal($"{key[..8]}…{key[^4..]}", display);
        Assert.DoesNotContain(key[8..^4], display, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => ApiKeyFormat.DisplayForm("aly_not-a-key"));
    }
}
