#ifndef CSENTENCEPIECE_H
#define CSENTENCEPIECE_H
#ifdef __cplusplus
extern "C" {
#endif

/// Opaque handle over sentencepiece::SentencePieceProcessor.
typedef struct weft_spp weft_spp;

weft_spp *weft_spp_new(void);
void weft_spp_free(weft_spp *processor);

#ifdef __cplusplus
}
#endif
#endif
