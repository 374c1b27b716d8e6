/** Whole networks of the seed papers as tfjs LayersModels (`tfdeform.models`). */
export {};
