using GruAnomaly.Recurrent;

namespace GruAnomaly.Tests.Recurrent;

[Collection(typeof(AllocationMeasurementCollection))]
public class EncoderDecoderNetworkTests(ITestOutputHelper output)
{
    private static float[] RandomValues(int count, int seed, float scale = 1f)
    {
        var random = new Random(seed);
        return [.. Enumerable.Range(0, count).Select(_ => (float)((random.NextDouble() * 2 - 1) * scale))];
    }

    private static float[] Block(ReadOnlySpan<float> values, int step, int width) => values.Slice(step * width, width).ToArray();

    /// <summary>
    /// EncDec-AD by hand from the two public halves: encode, start the decoder from the encoder's final states, feed it
    /// zeros then x_{T−1}, x_{T−2}, …, x_1, and read its outputs as x_{T−1}, …, x_0 (reverse order).
    /// </summary>
    private static float[] DecoderOutputsByHand(EncoderDecoderNetwork model, float[] parameters, float[] inputs, int steps, int batch)
    {
        int width = batch * model.InputSize;
        ReadOnlySpan<float> encoderParameters = parameters.AsSpan(0, model.DecoderParameterOffset);
        ReadOnlySpan<float> decoderParameters = parameters.AsSpan(model.DecoderParameterOffset);
        NetworkWorkspace encoder = model.Encoder.CreateWorkspace(), decoder = model.Decoder.CreateWorkspace();
        model.Encoder.Infer(encoderParameters, inputs, steps, batch, encoder);
        var code = new float[batch * model.StateSize];
        encoder.CopyFinalStates(code);
        var decoderInputs = new float[steps * width];
        for (int j = 1; j < steps; j++)
        {
            Array.Copy(inputs, (steps - j) * width, decoderInputs, j * width, width);
        }

        model.Decoder.Infer(decoderParameters, decoderInputs, steps, batch, decoder, code);
        return decoder.Outputs.ToArray();
    }

    [Theory]
    [InlineData(GruVariant.ResetBefore, 1)]
    [InlineData(GruVariant.ResetAfter, 2)]
    public void Output_t_is_the_decoders_output_T_minus_1_minus_t_so_it_reconstructs_input_t(GruVariant variant, int layers)
    {
        const int steps = 7, batch = 3, features = 2;
        var model = EncoderDecoderNetwork.CreateGru(features, 5, layers, variant);
        float[] parameters = model.CreateParameters(seed: 4);
        float[] inputs = RandomValues(steps * batch * features, seed: 5);
        EncoderDecoderWorkspace workspace = model.CreateWorkspace();

        model.Infer(parameters, inputs, steps, batch, workspace);
        float[] byHand = DecoderOutputsByHand(model, parameters, inputs, steps, batch);

        int width = batch * features;
        Assert.Equal(steps * width, workspace.Outputs.Length);
        for (int t = 0; t < steps; t++)
        {
            Assert.Equal(Block(byHand, steps - 1 - t, width), Block(workspace.Outputs, t, width));
        }

        // The code is the encoder's final states of every layer.
        var code = new float[batch * model.StateSize];
        NetworkWorkspace encoder = model.Encoder.CreateWorkspace();
        model.Encoder.Infer(parameters.AsSpan(0, model.DecoderParameterOffset), inputs, steps, batch, encoder);
        encoder.CopyFinalStates(code);
        Assert.Equal(code, workspace.Code.ToArray());
    }

    [Fact]
    public void Training_and_teacher_forced_inference_passes_give_the_same_outputs()
    {
        var model = EncoderDecoderNetwork.CreateGru(3, 6, layers: 2);
        float[] parameters = model.CreateParameters(seed: 1);
        float[] inputs = RandomValues(5 * 2 * 3, seed: 2);
        EncoderDecoderWorkspace training = model.CreateWorkspace(), inference = model.CreateWorkspace();

        model.Forward(parameters, inputs, 5, 2, training);
        model.Infer(parameters, inputs, 5, 2, inference);

        Assert.Equal(training.Outputs.ToArray(), inference.Outputs.ToArray());
        Assert.True(training.CanBackward);
        Assert.False(inference.CanBackward);
    }

    [Fact]
    public void The_reconstruction_of_input_t_does_not_read_input_t_under_teacher_forcing()
    {
        // With the encoder's weights at zero its final state is zero whatever it reads, so only the teacher-forced path
        // is left: output t comes from decoder step j = T−1−t, which has read x_{T−1}, …, x_{T−j} = x_{t+1}. Output t
        // must therefore move exactly with the inputs s > t; a wrong reversal or shift breaks the triangle.
        const int steps = 6, batch = 1, features = 1;
        var model = EncoderDecoderNetwork.CreateGru(features, 4);
        float[] parameters = model.CreateParameters(seed: 8);
        Array.Clear(parameters, 0, model.DecoderParameterOffset);
        float[] inputs = RandomValues(steps, seed: 9);
        EncoderDecoderWorkspace workspace = model.CreateWorkspace();
        model.Infer(parameters, inputs, steps, batch, workspace);
        float[] baseline = workspace.Outputs.ToArray();

        for (int s = 0; s < steps; s++)
        {
            float[] changed = [.. inputs];
            changed[s] += 1f;
            model.Infer(parameters, changed, steps, batch, workspace);
            for (int t = 0; t < steps; t++)
            {
                bool moved = workspace.Outputs[t] != baseline[t];
                Assert.True(moved == (s > t), $"input {s} {(moved ? "moved" : "did not move")} output {t}.");
            }
        }
    }

    [Fact]
    public void Autoregressive_inference_feeds_back_the_previous_prediction()
    {
        const int steps = 5, batch = 2, features = 2;
        var model = EncoderDecoderNetwork.CreateGru(features, 6, layers: 2, GruVariant.ResetAfter);
        float[] parameters = model.CreateParameters(seed: 21);
        float[] inputs = RandomValues(steps * batch * features, seed: 22);
        EncoderDecoderWorkspace workspace = model.CreateWorkspace();

        model.Infer(parameters, inputs, steps, batch, workspace, DecoderInput.Autoregressive);

        // By hand: run the decoder over all steps with the inputs it would have fed itself. Its prediction at step j is
        // its own input at step j + 1, so one teacher-forced decoder pass over those inputs must reproduce it.
        int width = batch * features;
        var fedBack = new float[steps * width];
        for (int j = 1; j < steps; j++)
        {
            // Decoder step j − 1 predicted x_{T−j}, which the original-order outputs hold at t = T − j.
            Block(workspace.Outputs, steps - j, width).CopyTo(fedBack, j * width);
        }

        var code = new float[batch * model.StateSize];
        NetworkWorkspace encoder = model.Encoder.CreateWorkspace(), decoder = model.Decoder.CreateWorkspace();
        model.Encoder.Infer(parameters.AsSpan(0, model.DecoderParameterOffset), inputs, steps, batch, encoder);
        encoder.CopyFinalStates(code);
        model.Decoder.Infer(parameters.AsSpan(model.DecoderParameterOffset), fedBack, steps, batch, decoder, code);
        for (int t = 0; t < steps; t++)
        {
            float[] expected = Block(decoder.Outputs, steps - 1 - t, width), actual = Block(workspace.Outputs, t, width);
            for (int i = 0; i < width; i++)
            {
                Assert.Equal(expected[i], actual[i], 1e-6f);
            }
        }

        // With one step both modes read only zeros after the code, so they agree exactly.
        EncoderDecoderWorkspace teacher = model.CreateWorkspace();
        model.Infer(parameters, inputs.AsSpan(0, width), 1, batch, teacher);
        model.Infer(parameters, inputs.AsSpan(0, width), 1, batch, workspace, DecoderInput.Autoregressive);
        Assert.Equal(teacher.Outputs.ToArray(), workspace.Outputs.ToArray());
    }

    [Fact]
    public void Parameters_are_one_vector_encoder_first_with_qualified_names()
    {
        var model = EncoderDecoderNetwork.CreateGru(2, 3, layers: 2);

        Assert.Equal(model.Encoder.ParameterCount + model.Decoder.ParameterCount, model.ParameterCount);
        Assert.Equal(model.Encoder.ParameterCount, model.DecoderParameterOffset);
        Assert.Equal("encoder.layers.0.input_weights", model.ParameterSlots[0].Name);
        Assert.Equal(0, model.ParameterSlots[0].Offset);
        ParameterSlot decoderFirst = model.GetSlot("decoder.layers.0.input_weights");
        Assert.Equal(model.DecoderParameterOffset, decoderFirst.Offset);
        ParameterSlot head = model.GetSlot("decoder.head.weights");
        Assert.Equal(model.DecoderParameterOffset + model.Decoder.GetSlot("head.weights").Offset, head.Offset);
        Assert.Equal(model.ParameterCount, model.ParameterSlots[^1].Offset + model.ParameterSlots[^1].Length);
        Assert.Equal(model.ParameterCount, model.ParameterSlots.Sum(s => s.Length));
        var missing = Assert.Throws<KeyNotFoundException>(() => model.GetSlot("layers.0.input_weights"));
        Assert.Contains("encoder.layers.0.input_weights", missing.Message);

        // One RNG across both halves: the same seed gives the same vector, and the decoder does not copy the encoder.
        float[] parameters = model.CreateParameters(7);
        Assert.Equal(parameters, model.CreateParameters(7));
        Assert.NotEqual(parameters, model.CreateParameters(8));
        ParameterSlot encoderRecurrent = model.GetSlot("encoder.layers.0.recurrent_weights");
        ParameterSlot decoderRecurrent = model.GetSlot("decoder.layers.0.recurrent_weights");
        Assert.NotEqual(encoderRecurrent.Slice((ReadOnlySpan<float>)parameters).ToArray(), decoderRecurrent.Slice((ReadOnlySpan<float>)parameters).ToArray());
    }

    [Theory]
    [InlineData(DecoderInput.TeacherForcing)]
    [InlineData(DecoderInput.Autoregressive)]
    public void Forward_and_backward_allocate_nothing_after_the_first_call_of_a_shape(DecoderInput inference)
    {
        var model = EncoderDecoderNetwork.CreateGru(3, 8, layers: 2);
        float[] parameters = model.CreateParameters(seed: 3);
        float[] inputs = RandomValues(10 * 4 * 3, seed: 4);
        float[] outputGradients = RandomValues(10 * 4 * 3, seed: 5);
        var parameterGradients = new float[model.ParameterCount];
        var inputGradients = new float[inputs.Length];
        EncoderDecoderWorkspace workspace = model.CreateWorkspace();

        void Pass()
        {
            model.Forward(parameters, inputs, 10, 4, workspace);
            model.Backward(parameters, workspace, outputGradients, parameterGradients, inputGradients);
            model.Infer(parameters, inputs, 10, 4, workspace, inference);

            // A smaller shape after a larger one reuses the buffers.
            model.Forward(parameters, inputs.AsSpan(0, 6 * 2 * 3), 6, 2, workspace);
            model.Backward(parameters, workspace, outputGradients.AsSpan(0, 6 * 2 * 3), parameterGradients);
        }

        Pass();
        long allocated = Allocations.On(Pass);

        output.WriteLine($"bytes allocated by a warm pass: {allocated}");
        Assert.Equal(0, allocated);
    }

    [Fact]
    public void A_recurrent_network_serves_the_same_passes_through_the_interface()
    {
        var network = RecurrentNetwork.CreateGru(2, 4, outputSize: 1);
        ISequenceModel model = network;
        float[] parameters = network.CreateParameters(2);
        float[] inputs = RandomValues(5 * 3 * 2, seed: 3);

        NetworkWorkspace direct = network.CreateWorkspace();
        ISequenceWorkspace viaInterface = model.CreateWorkspace();
        network.Forward(parameters, inputs, 5, 3, direct);
        model.Forward(parameters, inputs, 5, 3, viaInterface);
        Assert.Equal(direct.Outputs.ToArray(), viaInterface.Outputs.ToArray());
        Assert.False(model.OutputsEveryStep);
        Assert.True(((ISequenceModel)RecurrentNetwork.CreateGru(2, 4)).OutputsEveryStep);
        Assert.True(((ISequenceModel)RecurrentNetwork.CreateGru(2, 4, outputSize: 1, headPlacement: HeadPlacement.EveryStep)).OutputsEveryStep);

        float[] gradients = RandomValues(3, seed: 4);
        float[] directParameters = new float[network.ParameterCount], interfaceParameters = new float[network.ParameterCount];
        float[] directInputs = new float[inputs.Length], interfaceInputs = new float[inputs.Length];
        network.Backward(parameters, direct, gradients, directParameters, inputGradients: directInputs, truncationSteps: 2);
        model.Backward(parameters, viaInterface, gradients, interfaceParameters, interfaceInputs, truncationSteps: 2);
        Assert.Equal(directParameters, interfaceParameters);
        Assert.Equal(directInputs, interfaceInputs);
    }

    [Fact]
    public void A_workspace_of_the_wrong_kind_or_of_another_network_is_rejected()
    {
        ISequenceModel encoderDecoder = EncoderDecoderNetwork.CreateGru(1, 3);
        ISequenceModel recurrent = RecurrentNetwork.CreateGru(1, 3, outputSize: 1);
        float[] inputs = new float[4];

        var wrongKind = Assert.Throws<ArgumentException>(() =>
            encoderDecoder.Forward(new float[encoderDecoder.ParameterCount], inputs, 4, 1, recurrent.CreateWorkspace()));
        Assert.Equal("workspace", wrongKind.ParamName);
        Assert.Contains("NetworkWorkspace", wrongKind.Message);
        Assert.Contains("EncoderDecoderWorkspace", wrongKind.Message);

        var wrongKindBack = Assert.Throws<ArgumentException>(() =>
            recurrent.Backward(new float[recurrent.ParameterCount], encoderDecoder.CreateWorkspace(), new float[1], new float[recurrent.ParameterCount]));
        Assert.Equal("workspace", wrongKindBack.ParamName);
        Assert.Contains("EncoderDecoderWorkspace", wrongKindBack.Message);

        var model = (EncoderDecoderNetwork)encoderDecoder;
        EncoderDecoderWorkspace other = EncoderDecoderNetwork.CreateGru(1, 3).CreateWorkspace();
        var foreign = Assert.Throws<ArgumentException>(() => model.Infer(new float[model.ParameterCount], inputs, 4, 1, other));
        Assert.Equal("workspace", foreign.ParamName);
        Assert.Contains("another network", foreign.Message);
    }

    [Fact]
    public void Bad_arguments_get_precise_exceptions()
    {
        var model = EncoderDecoderNetwork.CreateGru(2, 3);
        float[] parameters = model.CreateParameters(1);
        EncoderDecoderWorkspace workspace = model.CreateWorkspace();
        float[] inputs = new float[4 * 2 * 2];

        var autoregressive = Assert.Throws<ArgumentException>(() =>
            model.Forward(parameters, inputs, 4, 2, workspace, DecoderInput.Autoregressive));
        Assert.Equal("decoderInput", autoregressive.ParamName);
        Assert.Contains("teacher-forced", autoregressive.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => model.Infer(parameters, inputs, 4, 2, workspace, (DecoderInput)7));

        var shape = Assert.Throws<ArgumentException>(() => model.Forward(parameters, inputs, 5, 2, workspace));
        Assert.Equal("inputs", shape.ParamName);
        Assert.Contains("5 × 2 × 2", shape.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => model.Forward(parameters, inputs, 0, 2, workspace));
        Assert.Throws<ArgumentOutOfRangeException>(() => model.Forward(parameters, inputs, 4, -1, workspace));
        Assert.Equal("parameters", Assert.Throws<ArgumentException>(() => model.Forward(parameters.AsSpan(1), inputs, 4, 2, workspace)).ParamName);

        float[] broken = [.. parameters];
        int index = model.DecoderParameterOffset + 2;
        broken[index] = float.NaN;
        var nan = Assert.Throws<ArgumentException>(() => model.Forward(broken, inputs, 4, 2, workspace));
        Assert.Equal("parameters", nan.ParamName);
        Assert.Contains($"index {index}", nan.Message);
        inputs[3] = float.PositiveInfinity;
        Assert.Equal("inputs", Assert.Throws<ArgumentException>(() => model.Infer(parameters, inputs, 4, 2, workspace)).ParamName);
        inputs[3] = 0;

        model.Infer(parameters, inputs, 4, 2, workspace);
        var noRecord = Assert.Throws<InvalidOperationException>(() =>
            model.Backward(parameters, workspace, new float[16], new float[model.ParameterCount]));
        Assert.Contains("Infer records nothing", noRecord.Message);

        model.Forward(parameters, inputs, 4, 2, workspace);
        Assert.Equal("outputGradients", Assert.Throws<ArgumentException>(() =>
            model.Backward(parameters, workspace, new float[15], new float[model.ParameterCount])).ParamName);
        Assert.Equal("parameterGradients", Assert.Throws<ArgumentException>(() =>
            model.Backward(parameters, workspace, new float[16], new float[3])).ParamName);
        Assert.Equal("inputGradients", Assert.Throws<ArgumentException>(() =>
            model.Backward(parameters, workspace, new float[16], new float[model.ParameterCount], new float[15])).ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() =>
            model.Backward(parameters, workspace, new float[16], new float[model.ParameterCount], truncationSteps: -1));
        Assert.Throws<ArgumentNullException>(() => model.Forward(parameters, inputs, 4, 2, null!));
    }

    [Fact]
    public void Halves_that_do_not_fit_together_are_rejected()
    {
        RecurrentNetwork encoder = RecurrentNetwork.CreateGru(2, 4, layers: 2);
        RecurrentNetwork decoder = RecurrentNetwork.CreateGru(2, 4, layers: 2, outputSize: 2, headPlacement: HeadPlacement.EveryStep);
        Assert.Equal(4 + 4, new EncoderDecoderNetwork(encoder, decoder).StateSize);

        var head = Assert.Throws<ArgumentException>(() => new EncoderDecoderNetwork(RecurrentNetwork.CreateGru(2, 4, layers: 2, outputSize: 2), decoder));
        Assert.Equal("encoder", head.ParamName);
        var lastStep = Assert.Throws<ArgumentException>(() => new EncoderDecoderNetwork(encoder, RecurrentNetwork.CreateGru(2, 4, layers: 2, outputSize: 2)));
        Assert.Equal("decoder", lastStep.ParamName);
        Assert.Contains("EveryStep", lastStep.Message);
        var width = Assert.Throws<ArgumentException>(() => new EncoderDecoderNetwork(encoder,
            RecurrentNetwork.CreateGru(2, 4, layers: 2, outputSize: 3, headPlacement: HeadPlacement.EveryStep)));
        Assert.Contains("outputs 3", width.Message);
        var sizes = Assert.Throws<ArgumentException>(() => new EncoderDecoderNetwork(encoder,
            RecurrentNetwork.CreateGru(2, 5, layers: 2, outputSize: 2, headPlacement: HeadPlacement.EveryStep)));
        Assert.Contains("[5, 5]", sizes.Message);
        Assert.Contains("[4, 4]", sizes.Message);
        Assert.Throws<ArgumentException>(() => new EncoderDecoderNetwork(encoder,
            RecurrentNetwork.CreateGru(2, 4, layers: 1, outputSize: 2, headPlacement: HeadPlacement.EveryStep)));
        Assert.Throws<ArgumentNullException>(() => new EncoderDecoderNetwork(null!, decoder));
        Assert.Throws<ArgumentOutOfRangeException>(() => EncoderDecoderNetwork.CreateGru(0, 4));
        Assert.Throws<ArgumentOutOfRangeException>(() => EncoderDecoderNetwork.CreateGru(1, 4, layers: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => EncoderDecoderNetwork.CreateGru(1, 4, variant: (GruVariant)9));
    }
}
