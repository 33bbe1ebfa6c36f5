namespace Dendrite.Plotting.Tests;

public sealed class FigureFontTests
{
    [Fact]
    public void DejaVu_Sans_is_preferred_as_in_matplotlib()
    {
        Assert.Equal("DejaVu Sans", FigureFont.Choose(["Zapf", "DejaVu Serif", "Arial", "DejaVu Sans"]));
        Assert.Equal("Liberation Sans", FigureFont.Choose(["Zapf", "Liberation Sans", "Noto Sans"]));
    }

    [Fact]
    public void Without_a_preferred_font_the_first_installed_one_is_taken()
    {
        Assert.Equal("Abyssinica", FigureFont.Choose(["Zapf", "Abyssinica"]));
    }

    [Fact]
    public void A_machine_without_fonts_is_refused_with_the_package_to_install()
    {
        var error = Assert.Throws<InvalidOperationException>(() => FigureFont.Choose([]));
        Assert.Contains("fonts-dejavu-core", error.Message);
        // What Skia lists when /usr/share/fonts is empty: one family without a name.
        Assert.Throws<InvalidOperationException>(() => FigureFont.Choose([""]));
    }

    [Fact]
    public void This_machine_has_a_font_for_the_figures()
    {
        // Fails (with the install command) on a machine without fonts, where every figure would lack its text.
        Assert.False(string.IsNullOrEmpty(FigureFont.Name));
    }
}
