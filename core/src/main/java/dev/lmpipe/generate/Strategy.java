package dev.lmpipe.generate;

import java.util.ArrayList;
import java.util.List;

/** How generate chooses characters. */
public enum Strategy {
    /** Draw each character per temperature, top-k and top-p. */
    sample {
        @Override
        public List<Generator.Generation> generate(Generator generator, int[] prompt, GenerateConfig config) {
            var results = new ArrayList<Generator.Generation>();
            for (int i = 0; i < config.numSamples(); i++) {
                var sampler = new Sampler(config.sampling(), config.seed() + i);
                results.add(generator.sample(prompt, config.length(), sampler, config.stopAt()));
            }
            return results;
        }
    },
    /** Always the most likely character. */
    greedy {
        @Override
        public List<Generator.Generation> generate(Generator generator, int[] prompt, GenerateConfig config) {
            return List.of(generator.sample(prompt, config.length(), new Sampler(Sampling.GREEDY, config.seed()), config.stopAt()));
        }
    },
    /** The most probable continuations found by beam search. */
    beam {
        @Override
        public List<Generator.Generation> generate(Generator generator, int[] prompt, GenerateConfig config) {
            var search = new BeamSearch(config.beam(), config.lengthNormalisation());
            return generator.beam(prompt, config.length(), search, Math.min(config.numSamples(), config.beam()), config.stopAt());
        }
    };

    public abstract List<Generator.Generation> generate(Generator generator, int[] prompt, GenerateConfig config);
}
