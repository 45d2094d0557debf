#!/bin/sh
# Speaks one everyday sentence (none from the training text) per trained
# language, in the language's default voice, to data/samples/speech-LANG.opus.
# Run from the source tree after building into ./build.
# SPDX-License-Identifier: GPL-3.0-or-later
set -eu
cli=build/app/cli/genstudio-cli
out=data/samples

sample() { # LANG TEXT
  "$cli" speak --lang "$1" --text "$2" -o "$out/speech-$1.opus" >/dev/null
  echo "$1: $2"
}

sample en-us "Good morning! The train to the city leaves at half past eight, so we still have time for coffee."
sample it "Buongiorno! Il treno per la città parte alle otto e mezza, quindi abbiamo ancora tempo per un caffè."
sample fi "Hyvää huomenta! Juna kaupunkiin lähtee puoli yhdeksältä, joten ehdimme vielä juoda kahvia."
sample cs "Dobré ráno! Vlak do města odjíždí v půl deváté, takže máme ještě čas na kávu."
sample ru "Доброе утро! Поезд в город уходит в половине девятого, так что у нас ещё есть время на кофе."
sample ca "Bon dia! El tren cap a la ciutat surt a dos quarts de nou, així que encara tenim temps per a un cafè."
sample hi "सुप्रभात! शहर जाने वाली ट्रेन साढ़े आठ बजे निकलती है, इसलिए हमारे पास अभी कॉफ़ी के लिए समय है।"
sample mr "सुप्रभात! शहराकडे जाणारी ट्रेन साडेआठ वाजता सुटते, त्यामुळे आपल्याकडे अजून कॉफीसाठी वेळ आहे."
sample te "శుభోదయం! నగరానికి వెళ్ళే రైలు ఎనిమిదిన్నరకు బయలుదేరుతుంది, కాబట్టి మనకు కాఫీకి ఇంకా సమయం ఉంది."
