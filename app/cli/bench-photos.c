/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "bench-photos.h"

#define MATE "/usr/share/backgrounds/mate/nature/"
#define PLASMA(n) "/usr/share/wallpapers/" n "/contents/images/2560x1600.jpg"

/* mate-backgrounds 1.26.0 (GPL-2+, debian/copyright) and
 * plasma-workspace-wallpapers 5.27.5 (LGPL-3 in each wallpaper's
 * metadata.json; GPL-2+ in debian/copyright). Photographs only: the
 * packages' illustrations and renders are left out. */
const GsBenchPhoto gs_bench_photos[GS_BENCH_PHOTO_COUNT] = {
    { "Aqua", MATE "Aqua.jpg", "Charles Barbin" },
    { "Blinds", MATE "Blinds.jpg", "Lennart Poettering, Andrea Cimitan" },
    { "Dune", MATE "Dune.jpg", "Marco Cogoni, Hylke Bons" },
    { "FreshFlower", MATE "FreshFlower.jpg", "Jens Ansorg" },
    { "Garden", MATE "Garden.jpg", "Charles Barbin" },
    { "GreenMeadow", MATE "GreenMeadow.jpg", "Timothy Schellhase, Lapo Calamandrei" },
    { "LadyBird", MATE "LadyBird.jpg", "Charles Barbin" },
    { "RainDrops", MATE "RainDrops.jpg", "blackcombwhistler07" },
    { "Storm", MATE "Storm.jpg", "Sergey Nazarov" },
    { "TwoWings", MATE "TwoWings.jpg", "Charles Barbin, Hylke Bons" },
    { "Wood", MATE "Wood.jpg", "Jean-François Fortin Tam" },
    { "YellowFlower", MATE "YellowFlower.jpg", "Charles Barbin" },
    { "BytheWater", PLASMA("BytheWater"), "Maciej Wiklo" },
    { "ColdRipple", PLASMA("ColdRipple"), "Risto Saukonpää" },
    { "ColorfulCups", PLASMA("ColorfulCups"), "Dmitri Popov" },
    { "EveningGlow", PLASMA("EveningGlow"), "Ian Hex" },
    { "FallenLeaf", PLASMA("FallenLeaf"), "Martin Klapetek" },
    { "Kite", PLASMA("Kite"), "Risto Saukonpää" },
    { "OneStandsOut", PLASMA("OneStandsOut"), "Risto Saukonpää" },
    { "Path", PLASMA("Path"), "Risto Saukonpää" },
};
