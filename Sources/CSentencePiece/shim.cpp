#include "CSentencePiece.h"
#include <sentencepiece_processor.h>

struct weft_spp {
    sentencepiece::SentencePieceProcessor processor;
};

extern "C" weft_spp *weft_spp_new(void) { return new weft_spp(); }
extern "C" void weft_spp_free(weft_spp *processor) { delete processor; }
