"""Open-weight LoRA fine-tuning recipe (optional; needs `pip install -e ".[lora]"`).

Usage: python lora/train_lora.py --train data/build/train.jsonl --base Qwen/Qwen2.5-0.5B-Instruct

This downloads the base model from its hub on first run and is best on a GPU.
It is a starting point, not a tuned pipeline: check the hyperparameters
against your data size (see lora/README.md).
"""

from __future__ import annotations

import argparse


def main() -> None:
    """Train a LoRA adapter on chat JSONL and save it to --out."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--train", required=True)
    parser.add_argument("--val")
    parser.add_argument("--base", default="Qwen/Qwen2.5-0.5B-Instruct")
    parser.add_argument("--out", default="lora-adapter")
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--rank", type=int, default=16)
    args = parser.parse_args()

    # Heavy, optional imports: only when the recipe actually runs.
    from datasets import load_dataset
    from peft import LoraConfig, get_peft_model
    from transformers import (
        AutoModelForCausalLM,
        AutoTokenizer,
        DataCollatorForLanguageModeling,
        Trainer,
        TrainingArguments,
    )

    tokenizer = AutoTokenizer.from_pretrained(args.base)
    model = AutoModelForCausalLM.from_pretrained(args.base)
    model = get_peft_model(model, LoraConfig(r=args.rank, lora_alpha=2 * args.rank,
                                             lora_dropout=0.05, task_type="CAUSAL_LM"))
    files = {"train": args.train, **({"validation": args.val} if args.val else {})}
    data = load_dataset("json", data_files=files)

    def encode(example: dict) -> dict:
        text = tokenizer.apply_chat_template(example["messages"], tokenize=False)
        return tokenizer(text, truncation=True, max_length=2048)

    data = data.map(encode, remove_columns=["messages"])
    trainer = Trainer(
        model=model,
        args=TrainingArguments(output_dir=args.out, num_train_epochs=args.epochs,
                               per_device_train_batch_size=4, learning_rate=2e-4,
                               logging_steps=10, save_strategy="epoch"),
        train_dataset=data["train"],
        eval_dataset=data.get("validation"),
        data_collator=DataCollatorForLanguageModeling(tokenizer, mlm=False),
    )
    trainer.train()
    model.save_pretrained(args.out)
    tokenizer.save_pretrained(args.out)


if __name__ == "__main__":
    main()
